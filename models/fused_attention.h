#pragma once
// Scaled-dot-product attention in one pass per (batch, head, block of queries), the CPU fp32 core of
// every softmax-attention model (Transformer, Luna's pack and unpack, Linformer, local attention's
// windows), so a speed-up changes them all alike.
//
// Why: at the cpu profile's shapes (head dim E = 16, a few hundred keys) libtorch's bmm loops over the
// B*H matrices one at a time, each a tiny GEMM split across threads, and the (B,H,M,S) score,
// probability and gradient tensors (tens of MB) go through memory about nine times per step. Here the
// B*H*blocks work items run in parallel, each with single-threaded BLAS calls on a block of queries
// whose scores (rows x S floats) stay in the core's L2: S = q k^T, masked softmax + dropout (the
// softmax_dropout row kernels, same mask for the same seed), out = dropped @ v. Nothing of size
// (B,H,M,S) is stored: backward recomputes each block's probabilities from q, k and the seed (as
// FlashAttention does), so peak memory is O(B*H*(M+S)*E).
//
// Arithmetic: the same as matmul -> softmax_dropout -> matmul, except that the GEMMs are done per
// head block (another summation blocking inside BLAS), so results agree to float rounding (tests:
// 1e-5), not bitwise. Outputs and gradients are returned as (B,H,*,E) views of (B,*,H,E) tensors, so
// merge_heads needs no copy.
// Legend: B batch, H heads, M queries, S keys, E head dim.
#include <torch/types.h>

namespace lra {

// Whether fused_attention runs for these inputs (CPU, fp32, the fast dropout, a build with cblas,
// runtime.fused_attention on); otherwise callers use the unfused ops.
bool fused_attention_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// q (B,H,M,E) already scaled, k and v (B,H,S,E), keep (B,S) bool (true = attend) or undefined (every
// key). Returns dropout(softmax_S(q k^T with masked keys), p) @ v: (B,H,M,E). Masked keys get
// probability 0; a query whose keys are all masked gets 0. training = false: no dropout.
torch::Tensor fused_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& keep, double p, bool training);

// runtime.fused_attention: process-wide switch (default on; off = the unfused ops, the benches' "before").
void set_fused_attention(bool on);
bool fused_attention_enabled();

}  // namespace lra
