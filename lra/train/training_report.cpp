// The run-report document (latest.json and <run_id>.json): written when the run starts, at every
// validation, and with its terminal status (completed, diverged, interrupted, failed).
#include <unistd.h>

#include "lra/runtime/environment.h"
#include "lra/train/training_run.h"
#include "models/registry.h"

namespace lra {

Json TrainingRun::report(const std::string& status) const {
  const TrainSettings& train = run_.train;
  Json timing = state_.step_stats.summary();
  timing["tokens_per_second"] =
      state_.train_seconds > 0 ? static_cast<double>(state_.tokens) / state_.train_seconds : 0.0;
  timing["train_seconds"] = state_.train_seconds;
  timing["eval_seconds"] = state_.eval_seconds;
  timing["wall_seconds"] = wall_seconds();
  Json doc = {
      {"schema_version", kReportSchemaVersion},
      {"run_id", paths_.run_id},
      {"status", status},
      {"pid", static_cast<int64_t>(::getpid())},
      {"task", task_.name},
      {"model", run_.model},
      {"profile", config_.at("profile")},
      {"environment", environment_block(device_.str())},
      {"config", config_},
      {"data", Json::parse(data_.provenance_json)},
      {"data_sizes", {{"train", data_.train.size()}, {"val", data_.val.size()}, {"test", data_.test.size()}}},
      {"objective", objective_->name()},
      {"parameters", parameter_count(objective_->module())},
      {"dtype", run_.runtime.precision},
      {"dropout_enabled", run_.dropout > 0 || run_.attention_dropout > 0},
      {"seed", train.seed},
      {"steps_done", state_.step},
      {"timing", timing},
      {"memory",
       {{"peak_tensor_bytes", state_.peak_step_bytes},
        {"peak_tensor_bytes_source", device_.is_cuda() ? "CUDA caching allocator (max allocated)"
                                                       : "c10 memory-reporting hook (exact CPU tensor bytes)"},
        {"peak_rss_bytes", peak_rss_bytes()}}},
      {"curves", {{"train", state_.train_curve}, {"val", state_.val_curve}}},
      {"checkpoints", objective_->evaluates()
                          ? Json{{"last", paths_.last_checkpoint}, {"best", paths_.best_checkpoint}}
                          : Json{{"last", paths_.last_checkpoint}}},  // pretraining: no validation, no best
      {"distributed", distributed_block_},
      {"optimizer_groups", optimizer_->groups_json()},
      {"inputs", inputs_},
      {"accepted_changes", accepted_changes_},
  };
  // A model from a file (script:<file.pt>) records the file and its SHA-256: the run names what it trained.
  if (const ModelEntry* entry = find_model_or_null(run_.model); entry && !entry->source.is_null())
    doc["model_source"] = entry->source;
  if (objective_->evaluates()) {
    const int32_t majority = majority_label(data_.train);
    doc["majority_baseline"] = {{"label", majority},
                                {"train", constant_accuracy(data_.train, majority)},
                                {"val", constant_accuracy(data_.val, majority)},
                                {"test", constant_accuracy(data_.test, majority)}};
    // The protocol and its updates in all, so an SPT row is never compared with a scratch row that
    // trained for fewer (Amos et al. 2024: equal budgets).
    const int64_t pretrain_steps = init_from_.is_null() ? 0 : init_from_.at("pretrain_steps").get<int64_t>();
    doc["protocol"] = init_from_.is_null() ? "scratch" : "spt";
    doc["updates"] = {{"pretrain", pretrain_steps}, {"train", train.steps}, {"total", pretrain_steps + train.steps}};
    if (!init_from_.is_null()) doc["init_from"] = init_from_;
  } else {
    doc["pretraining"] = {{"mask_rate", run_.pretrain.value().mask_rate},
                          {"mask_id", task_.mask_id()},
                          {"head", "token_head: a separate Linear(d_model -> vocab_size), not tied; discarded "
                                   "by fine-tuning"},
                          {"reads", "the training split's inputs only (never val/test, never labels)"}};
  }
  if (!failure_.empty()) doc["error"] = failure_;  // diverged or failed
  return doc;
}

void TrainingRun::write_report(const Json& doc) const {
  if (dist_->is_root()) write_run_report(paths_, doc);
}

}  // namespace lra
