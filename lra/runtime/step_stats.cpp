#include "lra/runtime/step_stats.h"

#include <algorithm>
#include <numeric>

namespace lra {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(position);
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] * (1.0 - fraction) + values[above] * fraction;
}

size_t StepStats::warmup() const {
  if (seconds_.size() < 3) return 0;
  return std::clamp<size_t>(seconds_.size() / 10, 1, 10);
}

nlohmann::json StepStats::summary() const {
  std::vector<double> measured(seconds_.begin() + static_cast<std::ptrdiff_t>(warmup()), seconds_.end());
  double mean = measured.empty() ? 0.0 : std::accumulate(measured.begin(), measured.end(), 0.0) / measured.size();
  return {{"step_time_median_s", quantile(measured, 0.5)},
          {"step_time_p90_s", quantile(measured, 0.9)},
          {"step_time_mean_s", mean},
          {"step_time_min_s", measured.empty() ? 0.0 : *std::min_element(measured.begin(), measured.end())},
          {"step_time_max_s", measured.empty() ? 0.0 : *std::max_element(measured.begin(), measured.end())},
          {"measured_steps", measured.size()},
          {"warmup_steps_excluded", warmup()}};
}

double StepStats::recent_rate() const {
  if (seconds_.empty()) return 0.0;
  size_t n = std::min<size_t>(10, seconds_.size());
  double total = std::accumulate(seconds_.end() - static_cast<std::ptrdiff_t>(n), seconds_.end(), 0.0);
  return total > 0 ? static_cast<double>(n) / total : 0.0;
}

StepStats StepStats::from_json(const nlohmann::json& j) {
  StepStats stats;
  stats.seconds_ = j.get<std::vector<double>>();
  return stats;
}

}  // namespace lra
