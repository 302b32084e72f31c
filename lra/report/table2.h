#pragma once
// Table 2 of `lra report`: steps/s and peak memory per length from a bench result (lra bench), with
// ratios vs the Transformer, the attention kernel of every row, beside the LRA paper's numbers.
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

std::string table2_markdown(const Json& bench, const Json& published);

// The least-squares slope of log(y) against log(x) (how y grows with x: 1 linear, 2 quadratic); NaN
// with fewer than two points.
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace lra
