#pragma once
// Statistics over seeds: the mean of n runs with its Student-t 95% interval, Welch's two-sample
// t-test for a difference of two means, and the smallest difference n seeds per model can detect.
// Plain functions of doubles; the report (lra/report/seed_aggregate.h) applies them to run reports.
#include <vector>

namespace lra {

// Student t distribution with `df` degrees of freedom (df > 0, may be fractional as in Welch).
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);  // 0 < p < 1

struct MeanInterval {
  int n = 0;
  double mean = 0.0;
  double sd = 0.0;          // sample standard deviation (n - 1); 0 when n < 2
  double half_width = 0.0;  // t_{0.975, n-1} * sd / sqrt(n); NaN when n < 2 (no interval)
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
  bool has_interval() const { return n >= 2; }
};
MeanInterval mean_interval(const std::vector<double>& values, double confidence = 0.95);

// Welch's t-test of mean(a) - mean(b): the difference, its interval, Welch-Satterthwaite df and the
// two-sided p-value. `distinguishable` is true when the interval excludes 0 (p < 1 - confidence);
// it is false whenever either side has fewer than two values (no variance estimate).
struct WelchResult {
  double difference = 0.0;
  double half_width = 0.0;
  double df = 0.0;
  double p_value = 1.0;
  bool distinguishable = false;
};
WelchResult welch_test(const std::vector<double>& a, const std::vector<double>& b, double confidence = 0.95);

// Pooled within-group standard deviation of several groups (each with >= 2 values counts), and its df.
struct PooledSpread {
  double sd = 0.0;
  int df = 0;
};
PooledSpread pooled_spread(const std::vector<std::vector<double>>& groups);

// The smallest true difference between two models that a two-sided test at 1 - confidence detects
// with the given power, with n seeds each and spread sd: (t_{1-a/2} + t_{power}) * sd * sqrt(2/n),
// df = 2n - 2. NaN when n < 2 or sd is unknown.
double minimum_detectable_difference(double sd, int n, double confidence = 0.95, double power = 0.8);

}  // namespace lra
