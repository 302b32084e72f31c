#include "models/softmax_dropout_kernel.h"

#include <cfloat>
#include <cmath>

#include "models/counter_hash.h"
#include "models/kernel_clones.h"

namespace lra {
namespace {

// out[j] = in[j] * keep factor of the mask (1 when the mask is off), over one part of a row.
inline __attribute__((always_inline)) void apply_mask(const float* __restrict in, float* __restrict out,
                                                      int64_t count, const RowMask& mask) {
  if (!mask.masked) {
    for (int64_t j = 0; j < count; ++j) out[j] = in[j];
    return;
  }
  // Locals and a select of the factor, not of a load: the loop vectorises.
  const uint32_t first = mask.first, key = mask.key, threshold = mask.threshold;
  const float scale = mask.scale;
  for (int64_t j = 0; j < count; ++j)
    out[j] = in[j] * (mask_bits(first + static_cast<uint32_t>(j), key) < threshold ? scale : 0.0f);
}

inline __attribute__((always_inline)) void apply_masks(const float* in, float* out, int64_t cols,
                                                       const RowMasks& mask) {
  apply_mask(in, out, mask.split, mask.head);
  apply_mask(in + mask.split, out + mask.split, cols - mask.split, mask.tail);
}

}  // namespace

LRA_KERNEL_CLONES void softmax_dropout_row(const float* __restrict scores, const float* __restrict keep,
                                           float* __restrict probs, float* __restrict dropped, int64_t cols,
                                           const RowMasks& mask) {
  // Masked keys are skipped by `keep`, never by -inf arithmetic (-ffast-math assumes finite values).
  float row_max = -FLT_MAX;
  if (keep) {
    for (int64_t j = 0; j < cols; ++j) row_max = std::fmax(row_max, keep[j] > 0.0f ? scores[j] : -FLT_MAX);
  } else {
    for (int64_t j = 0; j < cols; ++j) row_max = std::fmax(row_max, scores[j]);
  }
  float sum = 0.0f;
  if (keep) {
    for (int64_t j = 0; j < cols; ++j) {
      probs[j] = keep[j] > 0.0f ? expf(scores[j] - row_max) : 0.0f;
      sum += probs[j];
    }
  } else {
    for (int64_t j = 0; j < cols; ++j) {
      probs[j] = expf(scores[j] - row_max);
      sum += probs[j];
    }
  }
  const float inv_sum = sum > 0.0f ? 1.0f / sum : 0.0f;
  for (int64_t j = 0; j < cols; ++j) probs[j] *= inv_sum;
  if (dropped) apply_masks(probs, dropped, cols, mask);
}

LRA_KERNEL_CLONES void softmax_dropout_backward_row(const float* __restrict grad, const float* __restrict probs,
                                                    float* __restrict d_scores, float* __restrict scratch,
                                                    int64_t cols, const RowMasks& mask) {
  apply_masks(grad, scratch, cols, mask);  // dL/dprobs
  float dot = 0.0f;
  for (int64_t j = 0; j < cols; ++j) dot += scratch[j] * probs[j];
  for (int64_t j = 0; j < cols; ++j) d_scores[j] = probs[j] * (scratch[j] - dot);
}

}  // namespace lra
