#include "lra/config/run_config.h"

#include "core/errors.h"

namespace lra {
namespace {

// One section of the config; every read names its key when it is missing or of another type.
class Section {
 public:
  Section(const Json& config, const char* name) : name_(name) {
    if (!config.contains(name) || !config[name].is_object())
      throw UserError(std::string("config: no '") + name + "' section; hint: resolve the config with lra config");
    json_ = &config[name];
  }
  static bool present(const Json& config, const char* name) { return config.contains(name); }
  bool has(const char* key) const { return json_->contains(key); }
  template <typename T>
  void read(const char* key, T& field) const {
    try {
      field = json_->at(key).get<T>();
    } catch (const Json::exception&) {
      throw UserError("config key " + name_ + "." + key + ": " +
                      (json_->contains(key) ? "has type " + std::string((*json_)[key].type_name()) : "missing") +
                      "; hint: a config written by another lra version; resolve it again with lra config");
    }
  }

 private:
  std::string name_;
  const Json* json_ = nullptr;
};

}  // namespace

RuntimeSettings parse_runtime_settings(const Json& resolved) {
  RuntimeSettings r;
  const Section s(resolved, "runtime");
  s.read("allocator", r.allocator);
  s.read("dropout", r.dropout);
  s.read("precision", r.precision);
  s.read("fused_projections", r.fused_projections);
  s.read("fused_attention", r.fused_attention);
  s.read("recompute_ffn", r.recompute_ffn);
  return r;
}

RunConfig parse_run_config(const Json& resolved) {
  RunConfig c;
  c.objective = resolved.value("objective", "classification");
  const Section task(resolved, "task"), model(resolved, "model");
  task.read("name", c.task);
  model.read("name", c.model);
  model.read("dropout", c.dropout);
  model.read("attention_dropout", c.attention_dropout);
  if (resolved.contains("profile") && resolved["profile"].is_string()) c.profile = resolved["profile"];

  TrainSettings& t = c.train;
  const Section train(resolved, "train");
  train.read("batch_size", t.batch_size);
  train.read("eval_batch_size", t.eval_batch_size);
  train.read("steps", t.steps);
  train.read("grad_accum", t.grad_accum);
  train.read("lr", t.lr);
  train.read("schedule", t.schedule);
  train.read("warmup_steps", t.warmup_steps);
  train.read("warmup_init_lr", t.warmup_init_lr);
  train.read("min_lr", t.min_lr);
  train.read("weight_decay", t.weight_decay);
  train.read("adam_beta1", t.adam_beta1);
  train.read("adam_beta2", t.adam_beta2);
  train.read("adam_eps", t.adam_eps);
  train.read("clip_norm", t.clip_norm);
  train.read("eval_every", t.eval_every);
  train.read("eval_limit", t.eval_limit);
  train.read("log_every", t.log_every);
  train.read("seed", t.seed);
  train.read("trim_batches", t.trim_batches);
  train.read("init_from", t.init_from);
  if (t.grad_accum < 1) throw UserError("train.grad_accum must be >= 1");

  if (Section::present(resolved, "pretrain")) {
    PretrainSettings& p = c.pretrain.emplace();
    const Section pretrain(resolved, "pretrain");
    pretrain.read("steps", p.steps);
    pretrain.read("mask_rate", p.mask_rate);
    pretrain.read("lr", p.lr);
    if (pretrain.has("finetune_steps")) pretrain.read("finetune_steps", p.finetune_steps);
  }

  c.runtime = parse_runtime_settings(resolved);
  return c;
}

}  // namespace lra
