#pragma once
// What a run must carry across a stop and a --resume besides the weights, the optimiser and the RNG:
// its counters, curves, timings and best step. Saved as the meta of last.ckpt, read back by --resume.
#include <cstdint>
#include <string>

#include "lra/config/config.h"
#include "lra/runtime/step_stats.h"

namespace lra {

// The updates since the last training-curve point (averaged into the next point).
struct CurveWindow {
  double loss = 0.0, correct = 0.0, examples = 0.0;
  int64_t steps = 0;
};

struct ResumeState {
  int64_t step = 0;           // optimiser updates done
  int64_t micro_batches = 0;  // micro-batches drawn (the data order's position)
  double best_val = -1.0;     // best validation accuracy so far (-1: none yet)
  int64_t best_step = 0;
  Json train_curve = Json::array();  // {step, loss, accuracy, lr}
  Json val_curve = Json::array();    // {step, loss, accuracy}
  StepStats step_stats;
  double train_seconds = 0.0, eval_seconds = 0.0;
  double wall_seconds = 0.0;  // before this process started (to_json: the caller's total)
  int64_t tokens = 0;
  int64_t peak_step_bytes = 0;
  CurveWindow window;

  Json to_json() const;
  // UserError naming `source` (the checkpoint) when a field is missing or of another type.
  static ResumeState from_json(const Json& meta, const std::string& source);
};

}  // namespace lra
