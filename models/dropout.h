#pragma once
// The one dropout every model calls, so a speed-up changes all models alike. Inverted dropout: kept
// elements are scaled by 1/(1-p).
//
// "fast" (default): a custom autograd function. The keep mask comes from a counter-based 32-bit hash of
// (seed, element index), computed in parallel and vectorisable; the seed is drawn from torch's CPU
// generator (so runs are deterministic under torch::manual_seed and checkpoints restore it), and
// backward regenerates the mask from the seed instead of storing it (no mask memory at all).
// "torch": libtorch's own dropout (a serial Bernoulli per element and a stored float mask).
#include <algorithm>
#include <string>

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

#include "models/counter_hash.h"

namespace lra {

torch::Tensor dropout(const torch::Tensor& x, double p, bool training);

// "fast" or "torch"; UserError otherwise. Process-wide, recorded in every report.
void set_dropout_implementation(const std::string& name);
const std::string& dropout_implementation();

// The fast kernel with an explicit seed, for autograd functions that recompute in backward: the same
// seed gives the same mask (float32 or bfloat16, CPU). draw_dropout_seed() takes a seed from torch's
// CPU generator, as the fast dropout does.
torch::Tensor dropout_with_seed(const torch::Tensor& x, double p, uint64_t seed);
uint64_t draw_dropout_seed();

// What an autograd function with a seeded mask keeps for its backward, which recomputes the mask.
// save_seeded_mask draws the seed (only when p > 0: no dropout leaves torch's RNG untouched) and
// stores it with p in ctx; saved_seeded_mask reads both back.
struct SeededMask {
  uint64_t seed;
  double p;
};
SeededMask save_seeded_mask(torch::autograd::AutogradContext* ctx, double p);
SeededMask saved_seeded_mask(torch::autograd::AutogradContext* ctx);

// The mask's indexing, shared by every seeded kernel: [0, n) is cut into 2^32-element blocks, block b
// keyed by mix64(seed + b); span(begin, count, first, key) runs in parallel on pieces that lie inside
// one block (first: begin's index within its block). Element i is kept when
// mask_bits(first + (i - begin), key) < keep_threshold(p).
template <typename Span>
void for_each_mask_span(int64_t n, uint64_t seed, const Span& span) {
  at::parallel_for(0, n, 1 << 15, [&](int64_t begin, int64_t end) {
    while (begin < end) {
      const uint64_t block = static_cast<uint64_t>(begin) >> 32;
      const int64_t block_end = std::min<int64_t>(end, static_cast<int64_t>((block + 1) << 32));
      span(begin, block_end - begin, static_cast<uint32_t>(begin), static_cast<uint32_t>(mix64(seed + block)));
      begin = block_end;
    }
  });
}

// Inverted dropout with drop probability p: keep with probability 1-p (exact to 2^-32), scale kept
// elements by 1/(1-p).
uint32_t keep_threshold(double p);
float keep_scale(double p);

// The mask kernel, exposed for tests: out[i] = in[i] * scale if hash(seed, i) keeps i, else 0.
void dropout_mask_apply(const float* in, float* out, int64_t n, uint64_t seed, double p);

}  // namespace lra
