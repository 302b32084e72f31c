#pragma once
// Splitting the model dimension into heads and back, batched over heads (no per-head loops).
// Legend: B batch, N tokens (or L Luna slots, K Linformer rows), D model, H heads, E = D/H.
#include <limits>

#include <torch/types.h>

namespace lra {

// (B,N,D) -> (B,H,N,E)
inline torch::Tensor split_heads(const torch::Tensor& x, int64_t heads) {
  const auto b = x.size(0), n = x.size(1), d = x.size(2);
  return x.view({b, n, heads, d / heads}).transpose(1, 2);  // (B,H,N,E)
}

// (B,H,N,E) -> (B,N,D)
inline torch::Tensor merge_heads(const torch::Tensor& x) {
  const auto b = x.size(0), h = x.size(1), n = x.size(2), e = x.size(3);
  return x.transpose(1, 2).reshape({b, n, h * e});  // (B,N,D)
}

// -inf where `keep` (B,M) bool is false, broadcast over heads and queries of scores (B,H,Q,M).
inline torch::Tensor mask_keys(const torch::Tensor& scores, const torch::Tensor& keep) {
  if (!keep.defined()) return scores;
  return scores.masked_fill(keep.logical_not().unsqueeze(1).unsqueeze(2),  // (B,1,1,M)
                            -std::numeric_limits<float>::infinity());
}

}  // namespace lra
