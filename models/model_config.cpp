#include "models/model_config.h"

#include "models/sequence_norm.h"

#include "core/errors.h"

namespace lra {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw UserError(message);
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

ModelConfig model_config_from(const nlohmann::json& config) {
  const auto& m = config.at("model");
  ModelConfig c;
  c.name = m.at("name").get<std::string>();
  c.task = task_info_from_config(config);
  c.layers = m.at("layers").get<int64_t>();
  c.d_model = m.at("d_model").get<int64_t>();
  c.ffn_dim = m.at("ffn_dim").get<int64_t>();
  c.heads = m.at("heads").get<int64_t>();
  c.classifier_dim = m.at("classifier_dim").get<int64_t>();
  // Checkpoints written before these keys existed had a ReLU head without dropout.
  c.classifier_activation = m.value("classifier_activation", std::string("relu"));
  c.classifier_dropout = m.value("classifier_dropout", 0.0);
  require(c.classifier_activation == "relu" || c.classifier_activation == "gelu",
          "model.classifier_activation must be 'relu' or 'gelu', got '" + c.classifier_activation + "'");
  require(c.classifier_dropout >= 0.0 && c.classifier_dropout < 1.0, "model.classifier_dropout must be in [0, 1)");
  c.dropout = m.at("dropout").get<double>();
  c.attention_dropout = m.at("attention_dropout").get<double>();
  c.act_dropout = m.at("act_dropout").get<double>();
  c.tie_layer_weights = m.at("tie_layer_weights").get<bool>();
  c.bert_init = m.at("bert_init").get<bool>();
  const auto norm = m.at("norm").get<std::string>();
  c.embedding_layer_norm = m.at("embedding_layer_norm").get<bool>();
  c.final_layer_norm = m.at("final_layer_norm").get<bool>();
  c.pair_features = m.at("pair_features").get<std::string>();
  // Checkpoints written before the key existed had learned positions.
  const auto positions = m.contains("positions") ? m.at("positions").get<std::string>() : std::string("learned");
  c.attention = m.at("attention");

  require(c.layers >= 1, "model.layers must be >= 1, got " + std::to_string(c.layers));
  require(c.d_model >= 1 && c.ffn_dim >= 1 && c.classifier_dim >= 1,
          "model.d_model, model.ffn_dim and model.classifier_dim must be >= 1");
  require(c.heads >= 1 && c.d_model % c.heads == 0, "model.d_model (" + std::to_string(c.d_model) +
                                                        ") must be a multiple of model.heads (" +
                                                        std::to_string(c.heads) + ")");
  for (auto [key, p] : {std::pair<const char*, double>{"dropout", c.dropout},
                        {"attention_dropout", c.attention_dropout},
                        {"act_dropout", c.act_dropout}})
    require(p >= 0.0 && p < 1.0, std::string("model.") + key + " must be in [0, 1), got " + std::to_string(p));
  require(norm == "post" || norm == "pre", "model.norm must be 'post' or 'pre', got '" + norm + "'");
  c.pre_norm = norm == "pre";
  // Checkpoints written before the key existed used LayerNorm.
  c.norm_type = m.contains("norm_type") ? m.at("norm_type").get<std::string>() : std::string("layernorm");
  check_norm_type(c.norm_type);
  require(positions == "learned" || positions == "none",
          "model.positions must be 'learned' or 'none', got '" + positions + "'");
  c.learned_positions = positions == "learned";
  require(c.pair_features == "concat" || c.pair_features == "lra4",
          "model.pair_features must be 'concat' or 'lra4', got '" + c.pair_features + "'");
  require(c.attention.is_object(), "model.attention must be an object");
  return c;
}

AttentionKeys::AttentionKeys(const ModelConfig& model, std::vector<std::string> known)
    : attention_(model.attention), model_name_(model.name) {
  for (const auto& item : attention_.items()) {
    bool ok = false;
    for (const auto& k : known) ok = ok || k == item.key();
    if (!ok)
      throw UserError("unknown key 'model.attention." + item.key() + "' for model '" + model_name_ + "' (known: " +
                      (known.empty() ? std::string("none") : join(known)) + ")");
  }
}

int64_t AttentionKeys::get_int(const std::string& key, int64_t fallback) const {
  if (!attention_.contains(key)) return fallback;
  const auto& v = attention_.at(key);
  if (!v.is_number_integer())
    throw UserError("model.attention." + key + " must be an integer, got " + v.dump());
  return v.get<int64_t>();
}

double AttentionKeys::get_double(const std::string& key, double fallback) const {
  if (!attention_.contains(key)) return fallback;
  const auto& v = attention_.at(key);
  if (!v.is_number()) throw UserError("model.attention." + key + " must be a number, got " + v.dump());
  return v.get<double>();
}

bool AttentionKeys::get_bool(const std::string& key, bool fallback) const {
  if (!attention_.contains(key)) return fallback;
  const auto& v = attention_.at(key);
  if (!v.is_boolean()) throw UserError("model.attention." + key + " must be true or false, got " + v.dump());
  return v.get<bool>();
}

std::string AttentionKeys::get_string(const std::string& key, const std::string& fallback,
                                      const std::vector<std::string>& allowed) const {
  std::string value = fallback;
  if (attention_.contains(key)) {
    const auto& v = attention_.at(key);
    if (!v.is_string()) throw UserError("model.attention." + key + " must be a string, got " + v.dump());
    value = v.get<std::string>();
  }
  std::string names;
  for (const auto& a : allowed) {
    if (a == value) return value;
    names += (names.empty() ? "" : ", ") + a;
  }
  throw UserError("model.attention." + key + " must be one of " + names + ", got '" + value + "'");
}

}  // namespace lra
