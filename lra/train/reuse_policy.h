#pragma once
// --reuse: what `lra train` does with the run already recorded in its output folder.
#include <string>

#include "lra/config/config.h"
#include "lra/train/trainer.h"

namespace lra {

struct ReuseOutcome {
  bool done = false;   // a finished run of this very commit, config and data: nothing to do
  std::string status;  // that run's status (done: "completed" or "diverged")
};

// Reads <out_dir>/latest.json. A finished run of this commit, config and data is reported and kept
// (done); an interrupted, running or failed-with-checkpoint one sets options.resume; anything else starts a
// new run, said so on stderr with the reason.
ReuseOutcome reuse_earlier_run(const Json& config, TrainOptions& options);

}  // namespace lra
