#pragma once
// `lra eval`: a saved classifier checkpoint, rebuilt through the registry from the config it carries
// (runtime section applied, as lra train applied it), evaluated on one split of a data folder. The data and a
// script model's module must be what the checkpoint recorded (lra/report/run_inputs.h): a module file that
// changed or moved is replaced by the run's kept copy when there is one; any other difference is refused
// unless accept_changed names it (said on stderr).
#include <set>
#include <string>

#include "lra/train/checkpoint.h"
#include "lra/train/evaluate.h"

namespace lra {

struct CheckpointEvalOptions {
  std::string data_dir;
  std::string split = "test";  // train | val | test
  int64_t batch_size = 0;      // 0: the checkpoint config's train.eval_batch_size
  bool keep_predictions = false;
  std::string device = "cpu";
  std::set<std::string> accept_changed;  // "data", "model"
};

// UserError for a pretraining checkpoint (no classifier), an unknown split, or inputs that differ.
EvalResult evaluate_checkpoint(const Checkpoint& checkpoint, const std::string& source,
                               const CheckpointEvalOptions& options);

}  // namespace lra
