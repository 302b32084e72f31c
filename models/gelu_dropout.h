#pragma once
// dropout(gelu(x)) for the feed-forward hidden activations (B,N,F), the largest elementwise work of a
// linear-attention block. On CPU in fp32 it is one custom autograd function: one pass over x forward,
// one over (x, dy) backward (GELU's derivative and the mask recomputed from the seed), against four
// passes and a stored GELU output for gelu then dropout; with p = 0 (the official configs' activation
// dropout) or in eval, a vectorised GELU. Same mask as dropout_with_seed(gelu(x), p, seed); exact
// (erf) GELU, within 1e-5 of libtorch's. Elsewhere (bf16 autocast, CUDA, or the "torch" dropout) it
// is gelu in fp32 followed by lra::dropout.
#include <cstdint>

#include <torch/types.h>

namespace lra {

torch::Tensor gelu_dropout(const torch::Tensor& x, double p, bool training);

// The fused kernels with an explicit seed (CPU, fp32 or bf16), for autograd functions that
// recompute: p = 0 means no dropout.
torch::Tensor gelu_dropout_with_seed(const torch::Tensor& x, double p, uint64_t seed);
torch::Tensor gelu_dropout_backward(const torch::Tensor& grad, const torch::Tensor& x, double p, uint64_t seed);

}  // namespace lra
