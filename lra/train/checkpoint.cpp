#include "lra/train/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/api/include/torch/serialize.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "models/state_dict.h"

namespace lra {

namespace {

// libtorch 1.13's in-memory readers (torch::pickle_load's VectorReader, MemoryReadAdapter) copy
// whatever range the zip reader asks for; the offsets of a corrupt checkpoint point past its end and
// the copy overran the buffer (found by fuzz_checkpoint under ASan). This one returns the bytes that
// exist, so the zip reader reports a short read and libtorch throws an ordinary error.
class BoundedReader final : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BoundedReader(const std::string& bytes) : bytes_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    if (pos >= bytes_.size()) return 0;
    n = std::min<size_t>(n, bytes_.size() - pos);
    std::memcpy(buf, bytes_.data() + pos, n);
    return n;
  }

 private:
  const std::string& bytes_;
};

// True when a length-prefixed argument of the pickle claims more bytes than the pickle holds, or a
// memo index is beyond any the pickle could have made. libtorch 1.13's unpickler allocates and fills
// what they claim before it reads (a 1 KB corrupt checkpoint made lra touch 3 GB for a string and
// 27 GB for the memo; found by fuzz_checkpoint), so such a pickle is refused first.
// Opcodes and argument formats from Python's pickle protocol (Lib/pickletools.py); the walk stops
// at STOP or at an opcode it does not know, which the unpickler itself then rejects or reads.
bool pickle_claims_too_much(const char* data, size_t size) {
  auto little_endian = [&](size_t at, int width) {
    uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(data[at + i]);
    return value;
  };
  size_t at = 0;
  while (at < size) {
    const auto op = static_cast<unsigned char>(data[at++]);
    int fixed = -1, length_width = 0, lines = 0;
    switch (op) {
      case '.': return false;  // STOP
      case '(': case '0': case '1': case '2': case 'N': case 0x88: case 0x89: case '}': case ']': case ')':
      case 't': case 0x85: case 0x86: case 0x87: case 'a': case 'e': case 's': case 'u': case 'd': case 'l':
      case 'R': case 'b': case 0x81: case 'Q': case 0x8f: case 0x90: case 0x91: case 0x92: case 0x93:
      case 0x94: case 'o': case 0x97: case 0x98: fixed = 0; break;
      case 'K': case 'q': case 'h': case 0x80: case 0x82: fixed = 1; break;
      case 'M': case 0x83: fixed = 2; break;
      case 'J': case 'r': case 'j': case 0x84: fixed = 4; break;
      case 'G': case 0x95: fixed = 8; break;
      case 0x8a: case 0x8c: case 'C': case 'U': length_width = 1; break;
      case 'X': case 'B': case 'T': case 0x8b: length_width = 4; break;
      case 0x8d: case 0x8e: case 0x96: length_width = 8; break;
      case 'c': case 'i': lines = 2; break;
      case 'I': case 'L': case 'S': case 'V': case 'F': case 'p': case 'g': case 'P': lines = 1; break;
      default: return false;
    }
    if (fixed >= 0) {
      if (size - at < static_cast<size_t>(fixed)) return true;
      // LONG_BINPUT: the unpickler grows its memo to the index; a real index counts earlier objects.
      if (op == 'r' && little_endian(at, 4) >= size) return true;
      at += static_cast<size_t>(fixed);
    } else if (length_width > 0) {
      if (size - at < static_cast<size_t>(length_width)) return true;
      const uint64_t length = little_endian(at, length_width);
      at += static_cast<size_t>(length_width);
      if (length > size - at) return true;
      at += static_cast<size_t>(length);
    } else {
      for (int line = 0; line < lines; ++line) {
        const void* newline = std::memchr(data + at, '\n', size - at);
        if (!newline) return true;
        at = static_cast<size_t>(static_cast<const char*>(newline) - data) + 1;
      }
    }
  }
  return true;  // no STOP
}

// Whether the CRC-32 in the zip local header of the record whose data start at `offset` matches the
// data. libtorch builds its zip reader without CRC checks, and its unpickler has memory errors on
// some corrupt type strings (an invalid free in ScriptTypeParser, found by fuzz_checkpoint), so a
// corrupt pickle must not reach it. Local header (ZIP APPNOTE 4.3.7): signature PK\3\4, flags at byte
// 6, CRC-32 at 14, name length at 26, extra length at 28, then name, extra field and data. With flag
// bit 3 (libtorch's writer sets it) the CRC-32 is in the data descriptor after the data instead
// (4.3.9), optionally after the signature PK\7\8.
bool record_crc_matches(const std::string& bytes, size_t offset, const void* data, size_t size) {
  auto le = [&](size_t at, int width) {
    uint32_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
    return value;
  };
  constexpr size_t kHeader = 30;
  if (offset < kHeader || offset > bytes.size()) return false;
  const size_t lowest = offset > kHeader + 2 * 65535 ? offset - kHeader - 2 * 65535 : 0;
  for (size_t h = offset - kHeader + 1; h-- > lowest;) {
    if (bytes.compare(h, 4, "PK\3\4", 4) != 0) continue;
    if (h + kHeader + le(h + 26, 2) + le(h + 28, 2) != offset) continue;
    size_t crc_at = h + 14;
    if (le(h + 6, 2) & 0x8) {
      crc_at = offset + size;
      if (crc_at + 8 <= bytes.size() && bytes.compare(crc_at, 4, "PK\7\10", 4) == 0) crc_at += 4;
      if (crc_at + 4 > bytes.size()) return false;
    }
    const uLong crc = crc32(crc32(0L, Z_NULL, 0), static_cast<const Bytef*>(data), static_cast<uInt>(size));
    return crc == le(crc_at, 4);
  }
  return false;
}

// torch::pickle_load (what torch.save / torch::pickle_save write) over a bounded reader, after the
// pickle's CRC and lengths are checked.
c10::IValue pickle_load_bounded(const std::string& bytes) {
  caffe2::serialize::PyTorchStreamReader reader(std::make_unique<BoundedReader>(bytes));
  const auto [pickle, pickle_size] = reader.getRecord("data.pkl");
  if (!record_crc_matches(bytes, reader.getRecordOffset("data.pkl"), pickle.get(), pickle_size))
    throw std::runtime_error("data.pkl does not match its CRC-32");
  if (pickle_claims_too_much(static_cast<const char*>(pickle.get()), pickle_size))
    throw std::runtime_error("a length in data.pkl runs past its end");
  return torch::jit::readArchiveAndTensors("data", /*pickle_prefix=*/"", /*tensor_prefix=*/"", c10::nullopt,
                                           c10::nullopt, c10::nullopt, reader);
}

at::Tensor bytes_to_tensor(const std::string& bytes) {
  auto t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

at::Tensor cpu_rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

}  // namespace

namespace {

void write_checkpoint(const std::string& path, const Json& config, const Json& meta, const StateDict& model,
                      torch::optim::Optimizer* optimizer, bool with_rng) {
  c10::impl::GenericDict doc(c10::StringType::get(), c10::AnyType::get());
  doc.insert(std::string("format"), std::string("lra-checkpoint"));
  doc.insert(std::string("version"), static_cast<int64_t>(kCheckpointVersion));
  doc.insert(std::string("config"), config.dump(-1, ' ', false, Json::error_handler_t::replace));
  doc.insert(std::string("meta"), meta.dump(-1, ' ', false, Json::error_handler_t::replace));
  // CPU tensors whatever the device trained on: a checkpoint loads on any machine (the reader accepts
  // only CPU tensors; load_state_dict copies them onto the model's device).
  StateDict on_cpu;
  for (const auto& entry : model) on_cpu.insert(entry.key(), entry.value().cpu());
  doc.insert(std::string("model"), on_cpu);
  if (optimizer) {
    torch::serialize::OutputArchive archive;
    optimizer->save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    doc.insert(std::string("optimizer"), bytes_to_tensor(bytes.str()));
  }
  if (with_rng) doc.insert(std::string("rng"), cpu_rng_state());
  std::vector<char> data = torch::pickle_save(c10::IValue(doc));
  write_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) throw UserError("cannot write checkpoint " + temp);
  });
}

}  // namespace

void save_checkpoint(const std::string& path, const Json& config, const Json& meta, const torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, bool with_rng) {
  write_checkpoint(path, config, meta, state_dict(model), optimizer, with_rng);
}

void save_state_checkpoint(const std::string& path, const Json& config, const Json& meta, const StateDict& model) {
  write_checkpoint(path, config, meta, model, nullptr, false);
}

Checkpoint read_checkpoint(const std::string& path) { return parse_checkpoint(read_text_file(path), path); }

Checkpoint parse_checkpoint(const std::string& bytes, const std::string& path) {
  c10::IValue value;
  try {
    value = pickle_load_bounded(bytes);
  } catch (const std::exception&) {
    throw UserError(path + ": not a readable checkpoint (truncated or corrupt file); hint: use the run's other "
                           "checkpoint (best.ckpt / last.ckpt) or train again");
  }
  auto fail = [&](const std::string& what) { return UserError(path + ": not an lra checkpoint: " + what); };
  // Every entry is checked for its type before it is used: a pickle is arbitrary data, and
  // c10::IValue's accessors throw internal errors (or assert) on a type they do not hold.
  if (!value.isGenericDict()) throw fail("expected a dict at the top level");
  auto doc = value.toGenericDict();
  for (const auto& entry : doc)
    if (!entry.key().isString()) throw fail("expected a dict with string keys");
  auto get = [&](const char* key, bool (c10::IValue::*is)() const, const char* expected) {
    if (!doc.contains(key)) throw fail(std::string("no '") + key + "' entry");
    c10::IValue entry = doc.at(key);
    if (!(entry.*is)()) throw fail(std::string("'") + key + "' is not " + expected);
    return entry;
  };
  if (get("format", &c10::IValue::isString, "a string").toStringRef() != "lra-checkpoint")
    throw fail("wrong format tag");
  const int64_t version = get("version", &c10::IValue::isInt, "an integer").toInt();
  if (version != kCheckpointVersion)
    throw UserError(path + ": checkpoint version " + std::to_string(version) + ", this lra reads " +
                    std::to_string(kCheckpointVersion) + "; hint: evaluate it with the lra that wrote it");
  Checkpoint checkpoint;
  for (const char* key : {"config", "meta"}) {
    try {
      (key[0] == 'c' ? checkpoint.config : checkpoint.meta) =
          Json::parse(get(key, &c10::IValue::isString, "a string").toStringRef());
    } catch (const Json::exception& e) {
      throw fail(std::string("'") + key + "' is not JSON (" + printable(e.what(), 200) + ")");
    }
    if (!(key[0] == 'c' ? checkpoint.config : checkpoint.meta).is_object())
      throw fail(std::string("'") + key + "' is not a JSON object");
  }
  const auto model = get("model", &c10::IValue::isGenericDict, "a dict").toGenericDict();
  for (const auto& entry : model) {
    if (!entry.key().isString() || !entry.value().isTensor())
      throw fail("'model' must map parameter names to tensors");
    const at::Tensor& t = entry.value().toTensor();
    if (t.layout() != at::kStrided || !t.device().is_cpu() || t.is_quantized())
      throw fail("'model' tensor '" + printable(entry.key().toStringRef(), 100) + "' is not a dense CPU tensor");
    checkpoint.model.insert(entry.key().toStringRef(), entry.value().toTensor());
  }
  // The optimiser and RNG entries are byte tensors (uint8, contiguous, on the CPU).
  auto byte_tensor = [&](const char* key) -> std::optional<at::Tensor> {
    if (!doc.contains(key)) return std::nullopt;
    at::Tensor t = get(key, &c10::IValue::isTensor, "a tensor").toTensor();
    if (t.scalar_type() != at::kByte || t.dim() != 1 || !t.is_contiguous() || !t.device().is_cpu())
      throw fail(std::string("'") + key + "' is not a 1-D uint8 CPU tensor");
    return t;
  };
  checkpoint.optimizer = byte_tensor("optimizer");
  checkpoint.rng = byte_tensor("rng");
  return checkpoint;
}

void restore_optimizer(torch::optim::Optimizer& optimizer, const at::Tensor& bytes) {
  // The state goes onto the parameters' device, whichever device wrote it.
  c10::optional<torch::Device> device;
  for (const auto& group : optimizer.param_groups())
    if (!group.params().empty()) device = group.params().front().device();
  torch::serialize::InputArchive archive;
  archive.load_from(static_cast<const char*>(bytes.data_ptr()), static_cast<size_t>(bytes.numel()), device);
  optimizer.load(archive);
}

void restore_cpu_rng(const at::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

}  // namespace lra
