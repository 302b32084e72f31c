#pragma once
// The one dropout every model calls, so a speed-up changes all models alike. Inverted dropout: kept
// elements are scaled by 1/(1-p).
//
// "fast" (default): a custom autograd function. The keep mask comes from a counter-based 32-bit hash of
// (seed, element index), computed in parallel and vectorisable; the seed is drawn from torch's CPU
// generator (so runs are deterministic under torch::manual_seed and checkpoints restore it), and
// backward regenerates the mask from the seed instead of storing it (no mask memory at all).
// "torch": libtorch's own dropout (a serial Bernoulli per element and a stored float mask).
#include <string>

#include <torch/types.h>

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

// The mask kernel, exposed for tests: out[i] = in[i] * scale if hash(seed, i) keeps i, else 0.
void dropout_mask_apply(const float* in, float* out, int64_t n, uint64_t seed, double p);

}  // namespace lra
