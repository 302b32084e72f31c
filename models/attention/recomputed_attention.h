#pragma once
// Scaled-dot-product attention whose probabilities are recomputed in backward instead of stored
// (a custom autograd function): backward keeps only q, k, v, the key mask and the dropout seed, so the
// (B,H,M,S) score, probability and dropout tensors never outlive the forward call. Luna uses it for
// pack and unpack when model.attention.recompute is true; the result equals the stored version.
// Legend: B batch, H heads, M queries, S keys, E head dim.
#include <torch/types.h>

namespace lra {

// q (B,H,M,E) (already scaled), k, v (B,H,S,E), keep (B,S) bool or undefined (all real).
// Softmax over S in fp32 (cast back to v's dtype), then dropout p (training only), then @ v.
torch::Tensor attention_recomputed(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   const torch::Tensor& keep, double dropout, bool training);

// The same computation with every intermediate stored by autograd (the reference for tests).
torch::Tensor attention_stored(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& keep, double dropout, bool training);

}  // namespace lra
