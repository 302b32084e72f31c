#include "lra/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"

namespace lra {

LrSchedule LrSchedule::from_settings(const TrainSettings& train) {
  LrSchedule s;
  s.kind = train.schedule;
  s.lr = train.lr;
  s.warmup_init_lr = train.warmup_init_lr;
  s.min_lr = train.min_lr;
  s.warmup_steps = train.warmup_steps;
  s.total_steps = std::max<int64_t>(1, train.steps);
  if (s.kind != "inverse_sqrt" && s.kind != "linear" && s.kind != "cosine" && s.kind != "constant")
    throw UserError("train.schedule: unknown schedule '" + s.kind + "' (known: inverse_sqrt, linear, cosine, constant)");
  if (s.warmup_steps < 0) throw UserError("train.warmup_steps must be >= 0");
  return s;
}

double LrSchedule::at(int64_t step) const {
  // 1) warm-up
  if (step <= warmup_steps && warmup_steps > 0)
    return warmup_init_lr + (lr - warmup_init_lr) * static_cast<double>(step) / static_cast<double>(warmup_steps);
  // 2) decay after warm-up
  const double done = static_cast<double>(step - warmup_steps);
  const double span = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  const double progress = std::clamp(done / span, 0.0, 1.0);
  if (kind == "inverse_sqrt")
    return warmup_steps > 0 ? lr * std::sqrt(static_cast<double>(warmup_steps) / static_cast<double>(step)) : lr;
  if (kind == "linear") return lr + (min_lr - lr) * progress;
  if (kind == "cosine") return min_lr + 0.5 * (lr - min_lr) * (1.0 + std::cos(M_PI * progress));
  return lr;
}

}  // namespace lra
