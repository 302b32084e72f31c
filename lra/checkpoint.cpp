#include "lra/checkpoint.h"

#include <fstream>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/api/include/torch/serialize.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "lra/atomic_file.h"
#include "lra/errors.h"
#include "models/state_dict.h"

namespace lra {

namespace {

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

void save_checkpoint(const std::string& path, const Json& config, const Json& meta, const torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, bool with_rng) {
  c10::impl::GenericDict doc(c10::StringType::get(), c10::AnyType::get());
  doc.insert(std::string("format"), std::string("lra-checkpoint"));
  doc.insert(std::string("version"), static_cast<int64_t>(kCheckpointVersion));
  doc.insert(std::string("config"), config.dump());
  doc.insert(std::string("meta"), meta.dump());
  doc.insert(std::string("model"), state_dict(model));
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

Checkpoint read_checkpoint(const std::string& path) { return parse_checkpoint(read_text_file(path), path); }

Checkpoint parse_checkpoint(const std::string& bytes, const std::string& path) {
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const std::exception&) {
    throw UserError(path + ": not a readable checkpoint (truncated or corrupt file); hint: use the run's other "
                           "checkpoint (best.ckpt / last.ckpt) or train again");
  }
  auto fail = [&](const std::string& what) { return UserError(path + ": not an lra checkpoint: " + what); };
  if (!value.isGenericDict()) throw fail("expected a dict at the top level");
  auto doc = value.toGenericDict();
  auto get = [&](const char* key) {
    if (!doc.contains(key)) throw fail(std::string("no '") + key + "' entry");
    return doc.at(key);
  };
  if (!get("format").isString() || get("format").toStringRef() != "lra-checkpoint") throw fail("wrong format tag");
  if (get("version").toInt() != kCheckpointVersion)
    throw UserError(path + ": checkpoint version " + std::to_string(get("version").toInt()) + ", this lra reads " +
                    std::to_string(kCheckpointVersion) + "; hint: evaluate it with the lra that wrote it");
  Checkpoint checkpoint;
  try {
    checkpoint.config = Json::parse(get("config").toStringRef());
    checkpoint.meta = Json::parse(get("meta").toStringRef());
    for (const auto& entry : get("model").toGenericDict())
      checkpoint.model.insert(entry.key().toStringRef(), entry.value().toTensor());
  } catch (const UserError&) {
    throw;
  } catch (const std::exception& e) {
    throw fail(std::string("malformed entry (") + e.what() + ")");
  }
  if (doc.contains("optimizer")) checkpoint.optimizer = doc.at("optimizer").toTensor();
  if (doc.contains("rng")) checkpoint.rng = doc.at("rng").toTensor();
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
