#pragma once
// The one dropout every model calls, so that a faster implementation (issue: CPU speed) changes all
// models alike. Inverted dropout: kept elements are scaled by 1/(1-p).
#include <torch/types.h>

namespace lra {

torch::Tensor dropout(const torch::Tensor& x, double p, bool training);

}  // namespace lra
