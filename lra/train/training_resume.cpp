// Resume points and --resume. last.ckpt holds the weights, the optimiser, the RNG and the ResumeState;
// best.ckpt the weights of the best validation step. Rank 0 reads and writes; every rank gets the bytes.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/train/training_run.h"
#include "models/state_dict.h"

namespace lra {

void TrainingRun::resume_or_start() {
  // Rank 0 decides the run id and whether it starts fresh; every rank gets the same decision.
  std::string run_id;
  bool fresh = true;
  if (dist_->is_root()) {
    remove_stale_temp_files(options_.out_dir);  // left by a killed run; live runs' temp files stay
    if (options_.resume) run_id = latest_run_id(options_.out_dir);
    if (options_.resume && run_id.empty())
      std::fprintf(stderr, "lra: --resume: no earlier run in %s; starting a new run\n", options_.out_dir.c_str());
    if (!run_id.empty()) {
      fresh = false;
      paths_ = run_paths(options_.out_dir, run_id);
      remove_stale_temp_files(std::filesystem::path(paths_.last_checkpoint).parent_path().string());
      if (!std::filesystem::exists(paths_.last_checkpoint)) {
        // Killed before its first checkpoint: nothing to resume, so the run starts again under its id.
        // A report that counts steps means the checkpoint existed and was removed: that is an error.
        if (reported_steps(paths_.report) != 0)
          throw UserError("--resume: run " + run_id + " has no checkpoint " + paths_.last_checkpoint +
                          " but its report counts finished steps; hint: start a new run without --resume");
        std::fprintf(stderr, "lra: --resume: run %s stopped before its first checkpoint; starting it again\n",
                     run_id.c_str());
        fresh = true;
      }
    }
    if (run_id.empty()) run_id = new_run_id();
  }
  run_id = dist_->broadcast_bytes(run_id);
  fresh = dist_->broadcast_bytes(fresh ? "fresh" : "resume") == "fresh";
  paths_ = run_paths(options_.out_dir, run_id);
  if (fresh) return;
  std::string bytes;
  if (dist_->is_root()) bytes = read_text_file(paths_.last_checkpoint);
  restore(parse_checkpoint(dist_->broadcast_bytes(bytes), paths_.last_checkpoint), run_id);
}

void TrainingRun::restore(const Checkpoint& checkpoint, const std::string& run_id) {
  for (const char* section : {"task", "model"}) {
    const Json was = checkpoint.config.contains(section) && checkpoint.config[section].is_object()
                         ? checkpoint.config[section].value("name", Json()) : Json();
    const Json now = config_.at(section).at("name");
    if (was != now)
      throw UserError("--resume: " + paths_.last_checkpoint + " is a checkpoint of " + section + " " + was.dump() +
                      ", not " + now.dump() + "; hint: resume with --" + section + " " +
                      (was.is_string() ? was.get<std::string>() : "?") + ", or start a new run with another --out");
  }
  // Changes accepted when this run was resumed before stay recorded.
  if (checkpoint.meta.contains("accepted_changes") && checkpoint.meta["accepted_changes"].is_array())
    for (const auto& change : checkpoint.meta["accepted_changes"])
      if (std::find(accepted_changes_.begin(), accepted_changes_.end(), change) == accepted_changes_.end())
        accepted_changes_.push_back(change);
  refuse_changes("--resume: run " + run_id + " (" + paths_.last_checkpoint + ")",
                 changed_inputs(checkpoint.config, checkpoint.meta.value("inputs", Json()), config_, inputs_,
                                {kInputConfig, kInputData, kInputModel, kInputCommit}),
                 "resume with the same --profile/--set, data and model file, or start a new run with another --out");
  load_state_dict(objective_->module(), checkpoint.model);
  if (!checkpoint.optimizer || !checkpoint.rng)
    throw UserError(paths_.last_checkpoint + ": weights-only checkpoint, cannot resume from it");
  restore_optimizer(optimizer_->adamw(), *checkpoint.optimizer);
  restore_cpu_rng(*checkpoint.rng);
  state_ = ResumeState::from_json(checkpoint.meta, paths_.last_checkpoint);
  restore_best_state(checkpoint);
  if (dist_->is_root())
    std::fprintf(stderr, "lra: resuming run %s at step %lld\n", run_id.c_str(), static_cast<long long>(state_.step));
}

// best.ckpt is written right after the last.ckpt of the same step, so at a resume point either
// best_step == step (the best weights are last.ckpt's own; best.ckpt may not have been written yet
// when the run was killed, and is rewritten here) or best.ckpt holds best_step's weights.
void TrainingRun::restore_best_state(const Checkpoint& last) {
  best_state_ = c10::Dict<std::string, at::Tensor>();
  best_written_step_ = 0;
  const int64_t best_step = state_.best_step;
  if (best_step <= 0) return;
  if (best_step == state_.step) {
    for (const auto& entry : last.model) best_state_.insert(entry.key(), entry.value().clone());
    std::error_code error;
    int64_t on_disk = -1;
    if (dist_->is_root() && std::filesystem::exists(paths_.best_checkpoint, error)) {
      try {
        const Json meta = read_checkpoint(paths_.best_checkpoint).meta;
        if (meta.contains("step") && meta["step"].is_number_integer()) on_disk = meta["step"].get<int64_t>();
      } catch (const UserError&) {
        // torn or foreign: rewritten below
      }
    }
    if (on_disk == best_step) best_written_step_ = best_step;
    save_best_checkpoint();
    return;
  }
  std::string bytes = dist_->is_root() ? read_text_file(paths_.best_checkpoint) : "";
  Checkpoint best = parse_checkpoint(dist_->broadcast_bytes(bytes), paths_.best_checkpoint);
  if (!best.meta.contains("step") || best.meta["step"] != best_step)
    throw UserError(paths_.best_checkpoint + " holds step " + best.meta.value("step", Json()).dump() + ", but " +
                    paths_.last_checkpoint + " records the best step as " + std::to_string(best_step) +
                    "; hint: start a new run without --resume");
  best_state_ = best.model;
  best_written_step_ = best_step;
}

// Writes best.ckpt from best_state_ unless it already holds the best step.
void TrainingRun::save_best_checkpoint() {
  if (!dist_->is_root() || state_.best_step <= 0 || best_written_step_ == state_.best_step) return;
  save_state_checkpoint(paths_.best_checkpoint, config_,
                        {{"step", state_.best_step}, {"val_accuracy", state_.best_val}, {"inputs", inputs_}},
                        best_state_);
  best_written_step_ = state_.best_step;
}

void TrainingRun::save_resume_point() {
  Json meta = state_.to_json();
  meta["wall_seconds"] = wall_seconds();  // the total so far, not the time before this process
  meta["run_id"] = paths_.run_id;
  meta["objective"] = objective_->name();
  meta["data"] = Json::parse(data_.provenance_json);
  meta["inputs"] = inputs_;
  meta["accepted_changes"] = accepted_changes_;
  if (dist_->is_root())
    save_checkpoint(paths_.last_checkpoint, config_, meta, objective_->module(), &optimizer_->adamw(),
                    /*with_rng=*/true);
  // Order matters for a kill between the two writes: see restore_best_state.
  save_best_checkpoint();
}

}  // namespace lra
