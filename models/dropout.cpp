#include "models/dropout.h"

#include <torch/nn/functional/dropout.h>

namespace lra {

torch::Tensor dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0.0) return x;
  return torch::dropout(x, p, /*train=*/true);
}

}  // namespace lra
