#pragma once
// The row loops of the fused masked softmax + dropout (models/softmax_dropout.h). Torch-free, so its
// .cpp alone is compiled with -O3 -ffast-math (GCC then calls glibc's vector expf, 16 lanes per
// AVX-512 call). A row is one query's scores over `cols` keys.
#include <cstdint>

namespace lra {

// The dropout mask over part of a row: the part's element j is element `first + j` of the mask block
// with key `key` (for_each_mask_span's indexing, so the mask equals lra::dropout's for the same seed);
// kept when mask_bits(first + j, key) < threshold, then scaled by `scale`. masked = false: no dropout.
struct RowMask {
  uint32_t first;
  uint32_t key;
  uint32_t threshold;
  float scale;
  bool masked;
};

// A row's mask: columns [0, split) use `head`, [split, cols) use `tail` (a row can straddle two
// 2^32-element mask blocks; split == cols when it does not).
struct RowMasks {
  int64_t split;
  RowMask head;
  RowMask tail;
};

// probs = softmax over the row's kept keys (keep[j] = 1, masked 0; keep null: every key) and 0 at the others;
// dropped = dropout(probs) (null: not written). A row without a kept key is all 0.
void softmax_dropout_row(const float* scores, const float* keep, float* probs, float* dropped, int64_t cols,
                         const RowMasks& mask);

// Backward: d = dropout(grad) with the same mask, d_scores = probs * (d - sum_j(d * probs)). `scratch`
// holds `cols` floats.
void softmax_dropout_backward_row(const float* grad, const float* probs, float* d_scores, float* scratch,
                                  int64_t cols, const RowMasks& mask);

}  // namespace lra
