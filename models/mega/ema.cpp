#include "models/mega/ema.h"

#include <cmath>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/padding.h>

#include "models/ssm/fft_convolution.h"

namespace lra {

namespace F = torch::nn::functional;

MultiHeadEmaImpl::MultiHeadEmaImpl(const MultiHeadEmaOptions& options_) : options(options_) {
  const int64_t d = options.d_model(), j = options.n_dim(), cd = (options.bidirectional() ? 2 : 1) * d;
  TORCH_CHECK(j >= 1, "mega ema: n_dim must be >= 1");
  // Initialisation of the official code: delta, alpha ~ N(0, 0.2); beta ~ N(0, 0.02) + (1, -1, 1, ...)
  // over the J dimensions ("more stable"); gamma, omega ~ N(0, 1).
  delta = register_parameter("delta", torch::randn({cd, j, 1}) * 0.2);
  alpha = register_parameter("alpha", torch::randn({cd, j, 1}) * 0.2);
  auto signs = torch::ones({j, 1});
  for (int64_t i = 1; i < j; i += 2) signs[i] = -1.0;
  beta = register_parameter("beta", torch::randn({cd, j, 1}) * 0.02 + signs);
  gamma = register_parameter("gamma", torch::randn({cd, j}));
  omega = register_parameter("omega", torch::randn({d}));
}

torch::Tensor MultiHeadEmaImpl::kernel(int64_t length) {
  const int64_t lags = options.truncation() > 0 ? std::min(length, options.truncation()) : length;
  const auto p = torch::sigmoid(delta);                                     // (cD,J,1)
  const auto q = 1.0 - p * torch::sigmoid(alpha);                           // (cD,J,1) in (0,1)
  const auto powers = (torch::arange(lags, p.options()) * torch::log(q)).exp();  // (cD,J,l): q^l
  const auto weights = gamma * std::sqrt(1.0 / static_cast<double>(options.n_dim()));  // (cD,J)
  return torch::einsum("djl,dj->dl", {p * beta * powers, weights});       // (cD,l)
}

torch::Tensor MultiHeadEmaImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t length = x.size(1), d = options.d_model();
  const auto residual = x * omega;                                          // (B,L,D)
  const auto u = x * mask.unsqueeze(-1).to(x.dtype());                      // zero at pads
  auto k = kernel(length);                                                  // (cD,l)
  if (k.size(1) < length) k = F::pad(k, F::PadFuncOptions({0, length - k.size(1)}));  // (cD,L)
  torch::Tensor forward_kernel = k, backward_kernel;
  if (options.bidirectional()) {
    // The backward set weighs lags 0, -1, ..., -(L-1); lag 0 joins the forward kernel, and
    // fft_convolution's backward kernel starts at lag -1.
    const auto k1 = k.narrow(0, 0, d), k2 = k.narrow(0, d, d);              // (D,L) each
    forward_kernel = k1 + F::pad(k2.narrow(1, 0, 1), F::PadFuncOptions({0, length - 1}));
    backward_kernel = F::pad(k2.narrow(1, 1, length - 1), F::PadFuncOptions({0, 1}));
  }
  return F::silu(fft_convolution(u, forward_kernel, backward_kernel) + residual);  // (B,L,D)
}

}  // namespace lra
