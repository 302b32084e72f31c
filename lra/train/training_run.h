#pragma once
// One training run's state, shared by the trainer's files (each one job):
//   trainer.cpp          set-up, the loop, one step, validation and the final tests
//   training_resume.cpp  resume points (last.ckpt, best.ckpt) and --resume
//   training_report.cpp  the run-report document (latest.json)
//   reuse_policy.cpp     --reuse (before a run exists)
// Internal to lra/train; `lra train` goes through run_training (trainer.h).
#include <chrono>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "core/task_info.h"
#include "lra/config/run_config.h"
#include "lra/report/run_inputs.h"
#include "lra/report/run_report.h"
#include "lra/runtime/memory_tracker.h"
#include "lra/train/checkpoint.h"
#include "lra/train/distributed.h"
#include "lra/train/evaluate.h"
#include "lra/train/lr_schedule.h"
#include "lra/train/objective.h"
#include "lra/train/optimizer.h"
#include "lra/train/resume_state.h"
#include "lra/train/trainer.h"
#include "models/model.h"
#include "tasks/data_order.h"
#include "tasks/registry.h"

namespace lra {

class TrainingRun {
 public:
  TrainingRun(const Json& config, const TrainOptions& options);
  int run();

 private:
  using Clock = std::chrono::steady_clock;

  // trainer.cpp
  void set_up();
  int train_and_test();  // the loop, the final tests and the completed report
  bool train_one_step();  // false when the loss was not finite
  EvalResult evaluate_split(const Dataset& data, int64_t limit);
  void validate();
  Json final_accuracies();
  // training_resume.cpp
  void resume_or_start();
  void restore(const Checkpoint& last, const std::string& run_id);
  void restore_best_state(const Checkpoint& last);
  void save_resume_point();
  void save_best_checkpoint();
  // UserError "<against>: <what changed>; hint: <way forward>, or pass --accept-changed ..." for every change
  // not accepted; accepted ones are recorded in accepted_changes_.
  void refuse_changes(const std::string& against, const std::vector<InputChange>& changes, const std::string& way_forward);
  // training_report.cpp
  Json report(const std::string& status) const;
  void write_report(const Json& doc) const;

  double wall_seconds() const;  // across resumes

  const Json config_;  // as resolved: written into checkpoints and the report
  const RunConfig run_;
  const TrainOptions options_;
  const TaskInfo task_;
  const torch::Device device_;
  ScopedMemoryTracking memory_;  // installed before the model exists: parameters count too

  std::unique_ptr<Distributed> dist_;
  TaskSplits data_;
  ClassifierModel model_;
  std::unique_ptr<Objective> objective_;  // what is optimised and checkpointed (the classifier, or the
                                          // classifier's encoder with a token head when pretraining)
  Json init_from_ = nullptr;              // the pretraining a fine-tuning run started from
  Json inputs_;                           // what this run depends on (lra/report/run_inputs.h)
  Json accepted_changes_ = Json::array();  // inputs that differ from a record, accepted by --accept-changed
  c10::Dict<std::string, at::Tensor> best_state_;  // in memory on every rank (rank 0 also writes best.ckpt)
  std::unique_ptr<RunOptimizer> optimizer_;
  std::unique_ptr<DataOrder> order_;
  LrSchedule schedule_;
  RunPaths paths_;

  ResumeState state_;              // saved in last.ckpt
  int64_t best_written_step_ = 0;  // the step best.ckpt holds (0: none written by this process yet)
  bool stop_requested_ = false;    // agreed by all ranks
  Clock::time_point started_ = Clock::now();
  double last_loss_ = 0.0;
  std::string failure_;
  int64_t fault_after_steps_ = 0;  // > 0: throw before that update (fault injection for tests)
  Json distributed_block_ = {{"world_size", 1}, {"backend", "none"}};
};

}  // namespace lra
