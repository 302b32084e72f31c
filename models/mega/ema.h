#pragma once
// Mega's multi-dimensional damped exponential moving average (Ma et al., "Mega: Moving Average Equipped
// Gated Attention", ICLR 2023, eq. (2)-(3); the official MultiHeadEMA of facebookresearch/mega).
// Each channel d is expanded to `n_dim` EMA dimensions j that run the damped recurrence
//   h_t[j] = alpha[j] * beta[j] * x_t + (1 - alpha[j] * delta[j]) * h_{t-1}[j]     (alpha, delta by sigmoid)
//   y_t    = sum_j gamma[j] * sqrt(1/n_dim) * h_t[j]
// which is a convolution y = K * x with K[l] = sum_j gamma[j] sqrt(1/n_dim) alpha[j] beta[j] q[j]^l,
// q = 1 - alpha delta: computed as a Vandermonde product and applied by real FFT (no loop over time).
// Bidirectional (the LRA encoders): a second kernel reads the sequence backwards; both include lag 0.
// The output is silu(K * x + omega * x). Padded positions are zeroed before the convolution.
// Legend: B batch, L tokens, D channels (d_model), J n_dim, c kernel sets (2 when bidirectional).
#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace lra {

struct MultiHeadEmaOptions {
  MultiHeadEmaOptions(int64_t d_model, int64_t n_dim) : d_model_(d_model), n_dim_(n_dim) {}
  TORCH_ARG(int64_t, d_model);
  /// J: EMA dimensions per channel
  TORCH_ARG(int64_t, n_dim);
  /// a second kernel backwards in time
  TORCH_ARG(bool, bidirectional) = true;
  /// kernel length cap (0: the whole sequence); lags beyond it weigh 0
  TORCH_ARG(int64_t, truncation) = 0;
};

class MultiHeadEmaImpl : public torch::nn::Module {
 public:
  explicit MultiHeadEmaImpl(const MultiHeadEmaOptions& options);
  // x (B,L,D), mask (B,L) bool true at real tokens -> (B,L,D)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);
  // The convolution kernel for `length` lags: (c*D, min(length, truncation)); rows D.. are the backward set.
  torch::Tensor kernel(int64_t length);

  MultiHeadEmaOptions options;
  torch::Tensor delta;  // (cD,J,1) damping, by sigmoid
  torch::Tensor alpha;  // (cD,J,1) decay, by sigmoid
  torch::Tensor beta;   // (cD,J,1) expansion
  torch::Tensor gamma;  // (cD,J)   projection
  torch::Tensor omega;  // (D)      residual weight
};
TORCH_MODULE(MultiHeadEma);

}  // namespace lra
