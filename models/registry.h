#pragma once
// Model name -> {description, factory(resolved config)}. One explicit registration line per model in
// models/registry.cpp (a static library drops self-registering objects silently).
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model.h"

namespace lra {

struct ModelEntry {
  std::string name;
  std::string description;  // one line
  std::function<ClassifierModel(const nlohmann::json& config)> build;
  // Analytic FLOPs of one training step (forward + backward ~ 3x forward matmul FLOPs) at batch
  // `batch` and sequence length `length`, for the bench's utilisation figure; empty if unknown.
  std::function<double(const nlohmann::json& config, int64_t batch, int64_t length)> train_step_flops;
};

const std::vector<ModelEntry>& model_registry();
const ModelEntry& find_model(const std::string& name);  // UserError listing the known names

// Builds config["model"]["name"] for the resolved config (task facts from config["task"]).
ClassifierModel build_model(const nlohmann::json& config);

int64_t parameter_count(const torch::nn::Module& module);

}  // namespace lra
