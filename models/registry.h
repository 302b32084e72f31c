#pragma once
// Model name -> everything the application needs to know about a variant. A variant declares its
// entry in its own files (a `<variant>_model()` function next to its module); the built-in ones are
// listed one line each in models/registry.cpp (a static library drops self-registering objects
// silently), and a program or test adds its own with one register_model(...) line.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/flops.h"
#include "models/model.h"
#include "models/model_config.h"

namespace lra {

// Parameters that train at their own learning rate and weight decay (an SSM's A and dt, for example):
// those whose state-dict name ends with one of `name_suffixes`. The run's schedule scales `lr` as it
// scales train.lr.
struct ParameterGroupRule {
  std::string name;
  std::vector<std::string> name_suffixes;
  double lr = 0.0;
  double weight_decay = 0.0;
};

struct ModelEntry {
  std::string name;
  std::string description;  // one line
  std::function<ClassifierModel(const nlohmann::json& config)> build;
  // Forward FLOPs of one attention sublayer for one example of n tokens (the bench's utilisation
  // figure); empty when unknown, and the bench then leaves utilisation out.
  AttentionFlops attention_flops;
  // Closed-form parameter count of the whole model (models/parameter_count.h); checked against the
  // built module by the registry-wide tests.
  std::function<int64_t(const ModelConfig& model)> parameters;
  // Parameters that by design receive no gradient (state-dict names); empty: none.
  std::function<std::set<std::string>(const ModelConfig& model)> parameters_without_gradient;
  // The model's config layer (what configs/models/<name>.json holds, including its "ranges" and
  // "profiles" sections) for a variant defined in code; null: the file.
  nlohmann::json config;
  // Whether each block has the FFN sublayer that forward_flops counts (models/flops.h).
  bool feed_forward = true;
  // Parameter groups of their own; empty: every parameter trains with train.lr and train.weight_decay.
  std::function<std::vector<ParameterGroupRule>(const ModelConfig& model)> parameter_groups;
  // Where a model defined outside lra's code comes from (a TorchScript file: its path and SHA-256); run
  // reports record it. Null for the built-in models.
  nlohmann::json source;
  // In the default LRA table: the models of run_all.sh, lra plan and lra bench when none are named. This flag
  // is the one place that list lives (default_table_models()).
  bool default_table = false;

  // Analytic FLOPs of one training step (3x forward) at `batch` x `length`; 0 when unknown.
  double train_step_flops(const nlohmann::json& resolved_config, int64_t batch, int64_t length) const;
};

const std::vector<ModelEntry>& model_registry();
// The names of the entries with default_table, in registration order, and as one comma-separated list.
std::vector<std::string> default_table_models();
std::string default_table_models_list();
const ModelEntry& find_model(const std::string& name);  // UserError listing the known names
const ModelEntry* find_model_or_null(const std::string& name);

// Adds a variant to the registry (a std::logic_error on a repeated name or a missing build); returns
// true, so that `const bool registered = register_model(my_model());` registers at start-up.
bool register_model(ModelEntry entry);

// Builds config["model"]["name"] for the resolved config (task facts from config["task"]).
ClassifierModel build_model(const nlohmann::json& config);

int64_t parameter_count(const torch::nn::Module& module);

// The parameter groups the model of a resolved config declares (ModelEntry::parameter_groups).
std::vector<ParameterGroupRule> parameter_group_rules(const nlohmann::json& config);

}  // namespace lra
