#include "lra/report/seed_stats.h"

#include <cmath>
#include <limits>

namespace lra {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Continued fraction of the regularised incomplete beta function (modified Lentz), valid for
// x < (a + 1) / (a + b + 2); the caller uses the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
double beta_continued_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double result = d;
  for (int m = 1; m <= 500; ++m) {
    const double two_m = 2.0 * m;
    // Even step: m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double numerator = m * (b - m) * x / ((a + two_m - 1.0) * (a + two_m));
    d = 1.0 + numerator * d;
    c = 1.0 + numerator / c;
    if (std::fabs(d) < tiny) d = tiny;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    result *= d * c;
    // Odd step: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    numerator = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + two_m + 1.0));
    d = 1.0 + numerator * d;
    c = 1.0 + numerator / c;
    if (std::fabs(d) < tiny) d = tiny;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    result *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  return result;
}

double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return v.empty() ? kNaN : sum / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v, double mean) {
  if (v.size() < 2) return kNaN;
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return ss / static_cast<double>(v.size() - 1);
}

}  // namespace

double student_t_cdf(double t, double df) {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
  return t > 0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0.0 && p < 1.0) || !(df > 0.0)) return kNaN;
  if (p == 0.5) return 0.0;
  if (p < 0.5) return -student_t_quantile(1.0 - p, df);
  double low = 0.0, high = 1.0;
  while (student_t_cdf(high, df) < p && high < 1e12) high *= 2.0;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double mid = 0.5 * (low + high);
    (student_t_cdf(mid, df) < p ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

MeanInterval mean_interval(const std::vector<double>& values, double confidence) {
  MeanInterval r;
  r.n = static_cast<int>(values.size());
  r.mean = mean_of(values);
  if (r.n < 2) {
    r.half_width = kNaN;
    return r;
  }
  r.sd = std::sqrt(variance_of(values, r.mean));
  r.half_width = student_t_quantile(0.5 + confidence / 2.0, r.n - 1) * r.sd / std::sqrt(static_cast<double>(r.n));
  return r;
}

WelchResult welch_test(const std::vector<double>& a, const std::vector<double>& b, double confidence) {
  WelchResult r;
  r.difference = mean_of(a) - mean_of(b);
  if (a.size() < 2 || b.size() < 2) {
    r.half_width = r.df = r.p_value = kNaN;
    return r;
  }
  const double va = variance_of(a, mean_of(a)) / static_cast<double>(a.size());
  const double vb = variance_of(b, mean_of(b)) / static_cast<double>(b.size());
  const double se = std::sqrt(va + vb);
  if (se == 0.0) {  // both sides constant: any difference is exact
    r.df = static_cast<double>(a.size() + b.size() - 2);
    r.half_width = 0.0;
    r.p_value = r.difference == 0.0 ? 1.0 : 0.0;
    r.distinguishable = r.difference != 0.0;
    return r;
  }
  r.df = (va + vb) * (va + vb) /
         (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  r.half_width = student_t_quantile(0.5 + confidence / 2.0, r.df) * se;
  r.p_value = 2.0 * (1.0 - student_t_cdf(std::fabs(r.difference) / se, r.df));
  r.distinguishable = std::fabs(r.difference) > r.half_width;
  return r;
}

PooledSpread pooled_spread(const std::vector<std::vector<double>>& groups) {
  double ss = 0.0;
  int df = 0;
  for (const auto& g : groups) {
    if (g.size() < 2) continue;
    const double m = mean_of(g);
    for (double x : g) ss += (x - m) * (x - m);
    df += static_cast<int>(g.size()) - 1;
  }
  return {df > 0 ? std::sqrt(ss / df) : kNaN, df};
}

double minimum_detectable_difference(double sd, int n, double confidence, double power) {
  if (n < 2 || !(sd >= 0.0)) return kNaN;
  const double df = 2.0 * n - 2.0;
  return (student_t_quantile(0.5 + confidence / 2.0, df) + student_t_quantile(power, df)) * sd *
         std::sqrt(2.0 / n);
}

}  // namespace lra
