#include "lra/train/resume_state.h"

#include "core/errors.h"

namespace lra {

Json ResumeState::to_json() const {
  return {{"step", step},
          {"micro_batches", micro_batches},
          {"best_val_accuracy", best_val},
          {"best_step", best_step},
          {"curves", {{"train", train_curve}, {"val", val_curve}}},
          {"step_times", step_stats.to_json()},
          {"train_seconds", train_seconds},
          {"eval_seconds", eval_seconds},
          {"wall_seconds", wall_seconds},
          {"tokens", tokens},
          {"peak_step_tensor_bytes", peak_step_bytes},
          {"curve_window", {window.loss, window.correct, window.examples, window.steps}}};
}

ResumeState ResumeState::from_json(const Json& m, const std::string& source) {
  ResumeState s;
  try {
    s.step = m.at("step");
    s.micro_batches = m.at("micro_batches");
    s.best_val = m.at("best_val_accuracy");
    s.best_step = m.at("best_step");
    s.train_curve = m.at("curves").at("train");
    s.val_curve = m.at("curves").at("val");
    s.step_stats = StepStats::from_json(m.at("step_times"));
    s.train_seconds = m.at("train_seconds");
    s.eval_seconds = m.at("eval_seconds");
    s.wall_seconds = m.at("wall_seconds");
    s.tokens = m.at("tokens");
    s.peak_step_bytes = m.at("peak_step_tensor_bytes");
    const Json& window = m.at("curve_window");
    s.window = {window.at(0), window.at(1), window.at(2), window.at(3)};
  } catch (const Json::exception& e) {
    throw UserError(source + ": malformed resume state (" + printable(e.what(), 200) +
                    "); hint: start a new run without --resume");
  }
  if (!s.train_curve.is_array() || !s.val_curve.is_array())
    throw UserError(source + ": malformed resume state (curves are not lists); hint: start a new run without --resume");
  return s;
}

}  // namespace lra
