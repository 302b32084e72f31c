#include "lra/checkpoint.h"

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

// torch::pickle_load (what torch.save / torch::pickle_save write) over a bounded reader.
c10::IValue pickle_load_bounded(const std::string& bytes) {
  caffe2::serialize::PyTorchStreamReader reader(std::make_unique<BoundedReader>(bytes));
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
  doc.insert(std::string("model"), model);
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
  torch::serialize::InputArchive archive;
  archive.load_from(static_cast<const char*>(bytes.data_ptr()), static_cast<size_t>(bytes.numel()));
  optimizer.load(archive);
}

void restore_cpu_rng(const at::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

}  // namespace lra
