#include "models/gelu_dropout_kernel.h"

#include <cmath>

#include "models/counter_hash.h"
#include "models/kernel_clones.h"

namespace lra {
namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

inline float load(const float* p, int64_t j) { return p[j]; }
inline float load(const uint16_t* p, int64_t j) { return bf16_to_float(p[j]); }
inline void store(float* p, int64_t j, float v) { p[j] = v; }
inline void store(uint16_t* p, int64_t j, float v) { p[j] = float_to_bf16(v); }

inline float keep_factor(const MaskSpan& mask, int64_t j) {
  if (!mask.masked) return 1.0f;
  return mask_bits(mask.first + static_cast<uint32_t>(j), mask.key) < mask.threshold ? mask.scale : 0.0f;
}

template <typename T>
inline __attribute__((always_inline)) void forward_loop(const T* __restrict x, T* __restrict y, int64_t count,
                                                        const MaskSpan& mask) {
  for (int64_t j = 0; j < count; ++j) {
    const float v = load(x, j);
    store(y, j, v * (0.5f * (1.0f + erff(v * kInvSqrt2))) * keep_factor(mask, j));
  }
}

template <typename T>
inline __attribute__((always_inline)) void backward_loop(const T* __restrict x, const T* __restrict dy,
                                                         T* __restrict dx, int64_t count, const MaskSpan& mask) {
  for (int64_t j = 0; j < count; ++j) {
    const float v = load(x, j);
    const float cdf = 0.5f * (1.0f + erff(v * kInvSqrt2));
    const float pdf = kInvSqrt2Pi * expf(-0.5f * v * v);
    store(dx, j, load(dy, j) * keep_factor(mask, j) * (cdf + v * pdf));
  }
}

}  // namespace

LRA_KERNEL_CLONES void gelu_dropout_span(const float* x, float* y, int64_t count, const MaskSpan& mask) {
  forward_loop(x, y, count, mask);
}

LRA_KERNEL_CLONES void gelu_dropout_span(const uint16_t* x, uint16_t* y, int64_t count, const MaskSpan& mask) {
  forward_loop(x, y, count, mask);
}

LRA_KERNEL_CLONES void gelu_dropout_backward_span(const float* x, const float* dy, float* dx, int64_t count,
                                                  const MaskSpan& mask) {
  backward_loop(x, dy, dx, count, mask);
}

LRA_KERNEL_CLONES void gelu_dropout_backward_span(const uint16_t* x, const uint16_t* dy, uint16_t* dx, int64_t count,
                                                  const MaskSpan& mask) {
  backward_loop(x, dy, dx, count, mask);
}

}  // namespace lra
