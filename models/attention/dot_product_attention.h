#pragma once
// The scaled-dot-product attention every softmax-attention model calls (Transformer, Luna's pack and
// unpack, Linformer, local attention): one entry point, so each implementation change reaches all of
// them alike.
// Legend: B batch, H heads, M queries, S keys, E head dim.
#include <torch/types.h>

namespace lra {

// q (B,H,M,E) already scaled, k and v (B,H,S,E), keep (B,S) bool or undefined (every key):
// dropout(softmax_S(q k^T with masked keys), p) @ v, (B,H,M,E). CPU fp32: fused_attention (blocked,
// never stores the (B,H,M,S) probabilities); elsewhere, or with runtime.fused_attention off,
// attention_recomputed when `recompute`, else attention_stored.
torch::Tensor dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& keep, double dropout, bool training, bool recompute = false);

}  // namespace lra
