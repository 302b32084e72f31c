#include "models/registry.h"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "core/errors.h"
#include "models/attention/linear_transformer.h"
#include "models/attention/linformer.h"
#include "models/attention/local.h"
#include "models/attention/luna.h"
#include "models/attention/nystromformer.h"
#include "models/attention/performer.h"
#include "models/attention/softmax.h"
#include "models/mega/mega.h"
#include "models/script/script_mixer.h"
#include "models/ssm/s4d.h"

namespace lra {

namespace {

void add(std::vector<ModelEntry>& registry, ModelEntry entry) {
  if (entry.name.empty() || !entry.build) throw std::logic_error("register_model: a model needs a name and a build");
  for (const auto& existing : registry)
    if (existing.name == entry.name) throw std::logic_error("model '" + entry.name + "' registered twice");
  registry.push_back(std::move(entry));
}

std::vector<ModelEntry>& entries() {
  // One line per built-in model; its name is also the configs/models/<name>.json that configures it.
  static std::vector<ModelEntry> registry = [] {
    std::vector<ModelEntry> r;
    add(r, luna_model(16));
    add(r, luna_model(128));
    add(r, luna_model(256));
    add(r, transformer_model());
    add(r, linformer_model());
    add(r, performer_model());
    add(r, linear_transformer_model());
    add(r, nystromformer_model());
    add(r, local_model());
    add(r, s4d_model());
    add(r, mega_model());
    add(r, mega_chunk_model());
    return r;
  }();
  return registry;
}

}  // namespace

double ModelEntry::train_step_flops(const nlohmann::json& resolved_config, int64_t batch, int64_t length) const {
  if (!attention_flops) return 0.0;
  return 3.0 * forward_flops(model_config_from(resolved_config), batch, length, attention_flops, feed_forward);
}

const std::vector<ModelEntry>& model_registry() { return entries(); }

std::vector<std::string> default_table_models() {
  std::vector<std::string> names;
  for (const auto& entry : model_registry())
    if (entry.default_table) names.push_back(entry.name);
  return names;
}

std::string default_table_models_list() {
  std::string list;
  for (const auto& name : default_table_models()) list += (list.empty() ? "" : ",") + name;
  return list;
}

bool register_model(ModelEntry entry) {
  add(entries(), std::move(entry));
  return true;
}

const ModelEntry* find_model_or_null(const std::string& name) {
  for (const auto& entry : model_registry())
    if (entry.name == name) return &entry;
  // script:<file>: an entry made from the file on first use (its load errors name the file), kept apart
  // from the built-in list so that registry-wide code never builds a module it was not asked for.
  if (name.rfind(kScriptModelPrefix, 0) == 0) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<ModelEntry>> scripts;
    const std::lock_guard<std::mutex> lock(mutex);
    auto& entry = scripts[name];
    if (!entry) entry = std::make_unique<ModelEntry>(script_model(name.substr(std::string(kScriptModelPrefix).size())));
    return entry.get();
  }
  return nullptr;
}

const ModelEntry& find_model(const std::string& name) {
  if (const ModelEntry* entry = find_model_or_null(name)) return *entry;
  std::string known;
  for (const auto& entry : model_registry()) known += (known.empty() ? "" : ", ") + entry.name;
  throw UserError("unknown model '" + name + "' (known: " + known + "; or script:<file.pt>, a TorchScript mixer)");
}

ClassifierModel build_model(const nlohmann::json& config) {
  return find_model(config.at("model").at("name").get<std::string>()).build(config);
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) count += p.numel();
  return count;
}

std::vector<ParameterGroupRule> parameter_group_rules(const nlohmann::json& config) {
  const std::string name = config.at("model").at("name").get<std::string>();
  const ModelEntry& entry = find_model(name);
  return entry.parameter_groups ? entry.parameter_groups(model_config_from(config)) : std::vector<ParameterGroupRule>{};
}

}  // namespace lra
