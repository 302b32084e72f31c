#pragma once
// `lra eval`: a saved classifier checkpoint, rebuilt through the registry from the config it carries
// (runtime section applied, as lra train applied it), evaluated on one split of a data folder.
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
};

// UserError for a pretraining checkpoint (no classifier) or an unknown split.
EvalResult evaluate_checkpoint(const Checkpoint& checkpoint, const std::string& source,
                               const CheckpointEvalOptions& options);

}  // namespace lra
