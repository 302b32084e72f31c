#pragma once
// `lra train`: one (task, model) cell from a resolved config to a run report. The loop never looks
// at a task or model name: the task registry loads data, the model registry builds the model.
#include <set>
#include <string>
#include <vector>

#include "lra/config/config.h"
#include "lra/train/distributed.h"

namespace lra {

struct TrainOptions {
  std::string data_dir;
  std::string out_dir;         // default: runs/<profile>/<task>/<model>/seed-<seed>
  bool resume = false;         // continue the run recorded in out_dir/latest.json
  bool reuse = false;          // out_dir's latest run, if made by this commit with this config and data:
                               // completed -> reported and not re-run; interrupted -> resumed
  std::string device = "cpu";  // cpu | cuda[:N]
  bool quiet = false;
  int64_t stop_after = 0;      // > 0: checkpoint and stop after this many updates (resume later)
  DistributedOptions distributed;  // world_size > 1: data-parallel; only rank 0 writes
  // The run's inputs (lra/report/run_inputs.h). resolved_config_sha256: the config as the command resolved it
  // ("" = the config's own hash); manifest_config_sha256: the sweep manifest line's, set by lra sweep;
  // accept_changed: inputs that may differ from what a resumed run, a pretraining or the manifest recorded.
  std::string resolved_config_sha256;
  std::string manifest_config_sha256;
  std::set<std::string> accept_changed;
};

// The objective of `lra pretrain` (config["objective"]); `lra train` runs "classification".
inline constexpr const char* kPretrainObjective = "masked_tokens";

// Fault injection for tests: with LRA_FAULT_AFTER_STEPS=N in the environment, a run throws a libtorch
// error before update N + 1, as a failing op inside a step would (its report must end "failed").
inline constexpr const char* kFaultEnv = "LRA_FAULT_AFTER_STEPS";

// Exit codes besides 0 and 2 (bad input): a diverged run and an interrupted one.
constexpr int kExitDiverged = 3;
constexpr int kExitInterrupted = 130;

// Trains, validates, tests and writes the report; returns the process exit code.
// config["objective"] picks what is optimised (lra/train/objective.h); train.init_from names the pretraining
// checkpoint whose encoder a fine-tuning run starts from (lra/train/self_pretraining.h).
int run_training(const Json& config, const TrainOptions& options);

// A config that is not the one the sweep manifest's line planned (options.manifest_config_sha256), as a change
// of the "config" input (lra/report/run_inputs.h); none when no manifest hash was given.
struct InputChange;
std::vector<InputChange> manifest_changes(const Json& config, const TrainOptions& options);

// The default output folder of a resolved config: runs/<profile>/<task>/<model>/seed-<seed> from scratch,
// .../spt-seed-<seed> fine-tuned from a pretraining (train.init_from), .../pretrain-seed-<seed> for
// lra pretrain. Never under results/, where the committed reference runs live.
std::string default_out_dir(const Json& config);

}  // namespace lra
