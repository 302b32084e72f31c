#pragma once
// Helpers for the attention parity tests (performer, linear-transformer, nystromformer, local): the
// naive references compute in double, one sample and one head at a time, from the module's own
// weights, and are compared with the module at real (unpadded) query positions only.
// Include after model_fixtures.h or catch_torch.h.
#include <cstdio>
#include <string>
#include <vector>

#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace lra::test {

inline torch::Tensor dbl(const torch::Tensor& t) { return t.detach().to(torch::kDouble); }

// x (rows,D) double -> x W^T + b
inline torch::Tensor naive_linear(const torch::Tensor& x, const torch::nn::Linear& l) {
  return x.matmul(dbl(l->weight).t()) + dbl(l->bias);
}

// Columns [h E, (h+1) E) of a (rows,D) matrix: head h.
inline torch::Tensor head_slice(const torch::Tensor& x, int64_t h, int64_t e) { return x.narrow(1, h * e, e); }

// Indices of the real tokens of sample b of mask (B,N).
inline std::vector<int64_t> real_positions(const torch::Tensor& mask, int64_t b) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < mask.size(1); ++i)
    if (mask[b][i].item<bool>()) out.push_back(i);
  return out;
}

// A random input x (B,N,D) and a padding mask with lengths[b] real tokens at the front.
struct AttentionInput {
  torch::Tensor x;     // (B,N,D) float
  torch::Tensor mask;  // (B,N) bool
};
inline AttentionInput random_attention_input(const std::vector<int64_t>& lengths, int64_t width, int64_t d,
                                             uint64_t seed, double scale = 1.0) {
  torch::manual_seed(seed);
  const auto b = static_cast<int64_t>(lengths.size());
  return {torch::randn({b, width, d}) * scale, torch::arange(width).unsqueeze(0) < torch::tensor(lengths).unsqueeze(1)};
}

// max |module - reference| over the real positions of (B,N,D) outputs.
inline double max_diff_at_real(const torch::Tensor& module_out, const torch::Tensor& reference,
                               const torch::Tensor& mask) {
  const auto keep = mask.unsqueeze(-1);
  return (dbl(module_out) - dbl(reference)).abs().masked_fill(keep.logical_not(), 0.0).max().item<double>();
}

inline void print_maxdiff(const std::string& what, double maxdiff, double tolerance) {
  std::printf("%-60s maxdiff = %.3e (tolerance %.0e)\n", what.c_str(), maxdiff, tolerance);
}

}  // namespace lra::test
