#include "models/registry.h"

#include "core/errors.h"
#include "models/attention/linear_transformer.h"
#include "models/attention/linformer.h"
#include "models/attention/local.h"
#include "models/attention/luna.h"
#include "models/attention/nystromformer.h"
#include "models/attention/performer.h"
#include "models/attention/softmax.h"
#include "models/flops.h"

namespace lra {

const std::vector<ModelEntry>& model_registry() {
  // One line per model; the name is also the configs/models/<name>.json that configures it.
  static const std::vector<ModelEntry> entries = [] {
    std::vector<ModelEntry> e;
    auto add = [&e](std::string name, std::string description, decltype(ModelEntry::build) build,
                    AttentionFlops flops) {
      for (const auto& existing : e)
        if (existing.name == name) throw std::logic_error("model '" + name + "' registered twice");
      e.push_back({std::move(name), std::move(description), std::move(build), train_step_flops(std::move(flops))});
    };
    add("luna-16", "Luna, pack/unpack attention through a 16-slot learned P (Ma et al. 2021)", build_luna,
        luna_attention_flops);
    add("luna-128", "Luna, pack/unpack attention through a 128-slot learned P (Ma et al. 2021)", build_luna,
        luna_attention_flops);
    add("luna-256", "Luna, pack/unpack attention through a 256-slot learned P (Ma et al. 2021)", build_luna,
        luna_attention_flops);
    add("transformer", "softmax multi-head attention, pre-LN (Vaswani et al. 2017)", build_transformer,
        softmax_attention_flops);
    add("linformer", "keys/values projected along the sequence to k rows (Wang et al. 2020)", build_linformer,
        linformer_attention_flops);
    add("performer", "FAVOR+ positive orthogonal random features for softmax (Choromanski et al. 2021)",
        build_performer, performer_attention_flops);
    add("linear-transformer", "kernelised attention, phi(x) = elu(x) + 1 (Katharopoulos et al. 2020)",
        build_linear_transformer, linear_attention_flops);
    add("nystromformer", "Nystrom approximation through segment-mean landmarks (Xiong et al. 2021)",
        build_nystromformer, nystrom_attention_flops);
    add("local", "exact softmax attention inside non-overlapping windows (LRA baseline, Tay et al. 2021)",
        build_local, local_attention_flops);
    return e;
  }();
  return entries;
}

const ModelEntry& find_model(const std::string& name) {
  std::string known;
  for (const auto& entry : model_registry()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw UserError("unknown model '" + name + "' (known: " + known + ")");
}

ClassifierModel build_model(const nlohmann::json& config) {
  return find_model(config.at("model").at("name").get<std::string>()).build(config);
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) count += p.numel();
  return count;
}

}  // namespace lra
