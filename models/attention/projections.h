#pragma once
// The four (D,D) projections of multi-head attention, shared by the variants that keep the standard
// q/k/v/out layout (performer, linear-transformer, nystromformer, local). Same checkpoint names and
// the same init as SoftmaxAttention (fairseq's MHA init), so variants differ only in how tokens attend.
#include <cmath>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "models/init.h"

namespace lra {

struct QkvoProjections {
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
};

// Registers "q_proj", "k_proj", "v_proj", "out_proj" on `owner`: xavier_uniform with gain 1/sqrt(2)
// on q, k, v; plain xavier_uniform on out, whose bias starts at 0.
inline QkvoProjections register_qkvo_projections(torch::nn::Module& owner, int64_t d_model) {
  QkvoProjections p;
  p.q_proj = owner.register_module("q_proj", torch::nn::Linear(d_model, d_model));
  p.k_proj = owner.register_module("k_proj", torch::nn::Linear(d_model, d_model));
  p.v_proj = owner.register_module("v_proj", torch::nn::Linear(d_model, d_model));
  p.out_proj = owner.register_module("out_proj", torch::nn::Linear(d_model, d_model));
  const double gain = 1.0 / std::sqrt(2.0);
  for (auto* w : {&p.q_proj->weight, &p.k_proj->weight, &p.v_proj->weight}) xavier_uniform(*w, gain);
  xavier_uniform(p.out_proj->weight);
  torch::NoGradGuard no_grad;
  p.out_proj->bias.zero_();
  return p;
}

// Several Linear layers applied to the same input x (...,D_in), each output optionally scaled (the
// 1/sqrt(E) of a query). Fused (runtime.fused_projections, the default): one GEMM against the stacked,
// pre-scaled weights, returning column views of its output; otherwise one GEMM per layer. The math is
// the same either way (tests/test_fused_projections.cpp); fusion reads x once and, in backward, does
// one GEMM for dx instead of one per layer plus the sums.
std::vector<torch::Tensor> project(const torch::Tensor& x, const std::vector<torch::nn::Linear>& linears,
                                   const std::vector<double>& scales = {});

// Process-wide switch, set by apply_runtime_settings and recorded in every report.
void set_fused_projections(bool on);
bool fused_projections();

}  // namespace lra
