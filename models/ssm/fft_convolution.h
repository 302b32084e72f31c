#pragma once
// Long convolutions by real FFT, shared by the models whose kernel spans the whole sequence (S4D's SSM
// kernel, Mega's damped EMA): O(L log L) instead of the O(L^2) Toeplitz product or a loop over steps.
// Legend: B batch, L tokens, H channels.
#include <cstdint>

#include <torch/types.h>

namespace lra {

// The causal (or, with `backward` given, two-sided) convolution y[t] = sum_s k[t-s] u[s] by real FFT:
// u (B,L,H), forward kernel (H,L), backward kernel (H,L) or undefined -> (B,L,H). backward[j-1] is the
// weight of lag -j (the input j steps ahead).
torch::Tensor fft_convolution(const torch::Tensor& u, const torch::Tensor& forward_kernel,
                              const torch::Tensor& backward_kernel);

// The FFT length used for a convolution that needs at least `at_least` points: the smallest number
// >= at_least with no prime factor above 5.
int64_t fft_length(int64_t at_least);

}  // namespace lra
