#pragma once
// Step-time statistics: all step durations are kept; the first `warmup` ones (allocator and cache
// warm-up) are excluded from the median and p90 that reports quote.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace lra {

class StepStats {
 public:
  void add(double seconds) { seconds_.push_back(seconds); }
  size_t count() const { return seconds_.size(); }

  // Steps excluded as warm-up: 10% of the steps, at least 1 (when there are >= 3), at most 10.
  size_t warmup() const;
  nlohmann::json summary() const;  // {median_s, p90_s, mean_s, min_s, max_s, measured_steps, warmup_steps_excluded}
  double recent_rate() const;      // steps per second over the last 10 steps

  nlohmann::json to_json() const { return seconds_; }
  static StepStats from_json(const nlohmann::json& j);

 private:
  std::vector<double> seconds_;
};

// The q-quantile (0..1) of values by linear interpolation; 0 for an empty list.
double quantile(std::vector<double> values, double q);

}  // namespace lra
