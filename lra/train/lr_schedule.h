#pragma once
// Learning rate per optimiser update (1-based), from the train section of the config:
//   1) warm-up: linear from warmup_init_lr to lr over warmup_steps updates;
//   2) then by schedule:
//      inverse_sqrt  lr * sqrt(warmup_steps / step)            (fairseq; the Luna runs)
//      linear        lr -> min_lr linearly at the last step
//      cosine        lr -> min_lr along half a cosine
//      constant      lr
#include <cstdint>
#include <string>

#include "lra/config/run_config.h"

namespace lra {

struct LrSchedule {
  std::string kind = "inverse_sqrt";
  double lr = 1e-3;
  double warmup_init_lr = 1e-7;
  double min_lr = 0.0;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;

  static LrSchedule from_settings(const TrainSettings& train);  // UserError for an unknown kind
  double at(int64_t step) const;
};

}  // namespace lra
