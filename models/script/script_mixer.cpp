#include "models/script/script_mixer.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "core/errors.h"
#include "core/sha256.h"
#include "models/classifier.h"
#include "models/parameter_count.h"

namespace lra {

namespace {

std::string where(const std::string& path) { return "model " + std::string(kScriptModelPrefix) + path; }

bool is_tensor(const c10::Argument& argument) { return argument.type()->kind() == c10::TypeKind::TensorType; }

}  // namespace

torch::jit::Module load_script_mixer(const std::string& path) {
  const std::string save_hint = "save it with torch.jit.save(torch.jit.script(module), path) (examples/mixers.py)";
  if (path.empty() || !std::filesystem::is_regular_file(path))
    throw UserError(where(path) + ": no such file; give the path of a TorchScript module file (" + save_hint + ")");
  torch::jit::Module module;
  try {
    module = torch::jit::load(path);
  } catch (const c10::Error& e) {
    throw UserError(where(path) + ": not a TorchScript file (" + first_line(e.what_without_backtrace()) + "); " +
                    save_hint);
  }
  const auto forward = module.find_method("forward");
  if (!forward)
    throw UserError(where(path) + ": the module has no forward(x, key_mask); define forward(self, x: Tensor, "
                    "key_mask: Tensor) -> Tensor");
  const auto& schema = forward->function().getSchema();
  const auto& arguments = schema.arguments();  // self, x, key_mask
  if (arguments.size() != 3 || !is_tensor(arguments[1]) || !is_tensor(arguments[2]) || schema.returns().size() != 1 ||
      schema.returns()[0].type()->kind() != c10::TypeKind::TensorType) {
    std::ostringstream shown;
    shown << schema;
    throw UserError(where(path) + ": forward must be forward(self, x: Tensor, key_mask: Tensor) -> Tensor, got " +
                    shown.str());
  }
  if (!module.find_method("reset_parameters"))
    throw UserError(where(path) + ": no reset_parameters(); add a method decorated with @torch.jit.export that "
                    "initialises every parameter (lra calls it after seeding torch)");
  return module;
}

void check_script_mixer_output(torch::jit::Module& module, const std::string& path, int64_t d_model) {
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 5, d_model});
  auto mask = torch::ones({2, 5}, torch::kBool);
  mask[1][4] = false;
  c10::IValue out;
  try {
    out = module.forward({x, mask});
  } catch (const std::exception& e) {
    throw UserError(where(path) + ": forward failed on a (2, 5, " + std::to_string(d_model) + ") input (" +
                    first_line(e.what()) + "); the module's width must equal model.d_model (" +
                    std::to_string(d_model) + ")");
  }
  if (!out.isTensor())
    throw UserError(where(path) + ": forward returned " + out.tagKind() + ", expected a Tensor [B, N, D]");
  const auto y = out.toTensor();
  if (y.sizes() != x.sizes() || y.scalar_type() != torch::kFloat32) {
    std::ostringstream shown;
    shown << y.sizes() << " " << y.scalar_type();
    throw UserError(where(path) + ": forward returned " + shown.str() + " for a (2, 5, " + std::to_string(d_model) +
                    ") float32 input; it must return the input's shape [B, N, D] and dtype float32");
  }
}

ScriptMixerImpl::ScriptMixerImpl(const std::string& path, int64_t d_model) : module(load_script_mixer(path)) {
  module.run_method("reset_parameters");
  check_script_mixer_output(module, path, d_model);
  for (const auto& parameter : module.named_parameters(/*recurse=*/true)) {
    std::string name = parameter.name;
    std::replace(name.begin(), name.end(), '.', '_');
    register_parameter(name, parameter.value);  // the module's own tensor: gradients and loads reach it
  }
  for (const auto& buffer : module.named_buffers(/*recurse=*/true)) {
    std::string name = buffer.name;
    std::replace(name.begin(), name.end(), '.', '_');
    register_buffer(name, buffer.value);
  }
}

torch::Tensor ScriptMixerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  if (module.is_training() != is_training()) module.train(is_training());  // the module's own dropout
  return module.forward({x, mask}).toTensor();
}

ModelEntry script_model(const std::string& path) {
  auto probe = load_script_mixer(path);
  int64_t mixer_parameters = 0;
  for (const auto& parameter : probe.parameters(/*recurse=*/true)) mixer_parameters += parameter.numel();
  ModelEntry entry;
  entry.name = kScriptModelPrefix + path;
  entry.description = "TorchScript sequence mixer from " + path + " in the Transformer block (pre-LN, GELU FFN)";
  entry.build = [path](const nlohmann::json& config) {
    const auto model = model_config_from(config);
    AttentionKeys(model, {});  // no model.attention keys: the module holds its own settings
    const auto block = transformer_block_options(model);
    const int64_t d = model.d_model;
    return make_classifier(model, [block, path, d] {
      return std::make_shared<TransformerBlockImpl>(block, std::make_shared<ScriptMixerImpl>(path, d));
    });
  };
  // FLOPs unknown: the bench leaves utilisation out for this model.
  entry.parameters = [mixer_parameters](const ModelConfig& m) {
    return transformer_block_model_parameters(m, mixer_parameters);
  };
  // The Transformer's layer (configs/models/transformer.json): pre-LN, final LayerNorm, no embedding LN.
  entry.config = {{"model", {{"norm", "pre"}, {"embedding_layer_norm", false}, {"final_layer_norm", true},
                             {"attention", nlohmann::json::object()}}}};
  entry.source = {{"file", path}, {"sha256", file_sha256(path)}, {"mixer_parameters", mixer_parameters}};
  return entry;
}

}  // namespace lra
