#pragma once
// The model.* section of a resolved config, read and checked once, so that every variant builds from
// the same typed struct. Variant-specific keys live under model.attention and are read by the variant
// through AttentionKeys, which rejects keys the variant does not know.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/task_info.h"

namespace lra {

struct ModelConfig {
  std::string name;
  TaskInfo task;
  int64_t layers = 2;
  int64_t d_model = 64;
  int64_t ffn_dim = 128;
  int64_t heads = 4;
  int64_t classifier_dim = 128;
  std::string classifier_activation = "relu";  // relu | gelu
  double classifier_dropout = 0.0;
  double dropout = 0.1;
  double attention_dropout = 0.1;
  double act_dropout = 0.0;
  bool tie_layer_weights = false;
  bool bert_init = false;
  bool pre_norm = false;  // model.norm == "pre"
  std::string norm_type = "layernorm";  // layernorm | scalenorm | batchnorm (models/sequence_norm.h)
  bool embedding_layer_norm = true;
  bool final_layer_norm = false;
  bool learned_positions = true;  // model.positions == "learned" (a table of max_len rows); "none": order
                                  // comes from the blocks themselves (convolutions, recurrences)
  std::string pair_features = "concat";  // concat | lra4
  nlohmann::json attention = nlohmann::json::object();
};

// Reads config["model"] and config["task"]; UserError on values no model can use (d_model not a
// multiple of heads, unknown norm or pair_features, non-positive sizes, dropout outside [0,1)).
ModelConfig model_config_from(const nlohmann::json& config);

// model.attention of one variant: construction fails on a key outside `known`, naming it and the
// known ones; the getters fail on a wrong type, naming the key.
class AttentionKeys {
 public:
  AttentionKeys(const ModelConfig& model, std::vector<std::string> known);
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  // Also fails when the value is not one of `allowed`, naming them.
  std::string get_string(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& allowed) const;

 private:
  nlohmann::json attention_;
  std::string model_name_;
};

}  // namespace lra
