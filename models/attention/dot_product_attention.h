#pragma once
// The scaled-dot-product attention every softmax-attention model calls (Transformer, Luna's pack and
// unpack, Linformer, local attention): one entry point, so each implementation change reaches all of
// them alike.
// Legend: B batch, H heads, M queries, S keys, E head dim.
#include <string>

#include <torch/types.h>

namespace lra {

// q (B,H,M,E) already scaled, k and v (B,H,S,E), keep (B,S) bool or undefined (every key):
// dropout(softmax_S(q k^T with masked keys), p) @ v, (B,H,M,E). CPU fp32: fused_attention (blocked,
// never stores the (B,H,M,S) probabilities); elsewhere, or with runtime.fused_attention off,
// attention_recomputed when `recompute`, else attention_stored.
torch::Tensor dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& keep, double dropout, bool training, bool recompute = false);

// Which implementations dot_product_attention ran since the last reset, so a measurement can name the
// kernel it measured (their memory differs by the (B,H,M,S) probabilities): "fused", "materialised"
// (probabilities stored for backward, as the LRA paper's Transformer), "recomputed" (unfused,
// recomputed in backward), joined by "+" when several ran; "" when none ran (a model with its own,
// non-softmax mixing).
void reset_attention_kernels_used();
std::string attention_kernels_used();

}  // namespace lra
