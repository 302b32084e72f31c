#pragma once
// The elementwise loops of the fused GELU + dropout (models/gelu_dropout.h) over one span of a seeded
// mask (for_each_mask_span in models/dropout.h). Torch-free, so that its .cpp alone is compiled with
// -O3 -ffast-math, which lets GCC call glibc's vector erff/expf (libmvec), 16 lanes per AVX-512 call.
#include <cstdint>

namespace lra {

// Exact (erf) GELU: gelu(x) = x * Phi(x), Phi the standard normal CDF.
// A span covers elements [first, first + count) of a mask block with key `key`; element j is kept when
// mask_bits(first + j, key) < threshold and then scaled by `scale`. masked = false: no dropout at all.
struct MaskSpan {
  uint32_t first;
  uint32_t key;
  uint32_t threshold;
  float scale;
  bool masked;
};

// y = dropout(gelu(x)); fp32, or bfloat16 bits (uint16_t) computed in fp32 and rounded once at the end.
void gelu_dropout_span(const float* x, float* y, int64_t count, const MaskSpan& mask);
void gelu_dropout_span(const uint16_t* x, uint16_t* y, int64_t count, const MaskSpan& mask);

// dx = dy * mask * gelu'(x), gelu'(x) = Phi(x) + x * phi(x); fp32 or bfloat16 bits as above.
void gelu_dropout_backward_span(const float* x, const float* dy, float* dx, int64_t count, const MaskSpan& mask);
void gelu_dropout_backward_span(const uint16_t* x, const uint16_t* dy, uint16_t* dx, int64_t count,
                                const MaskSpan& mask);

}  // namespace lra
