#include "models/ssm/fft_convolution.h"

#include <algorithm>

#include <torch/fft.h>
#include <torch/nn/functional/padding.h>

namespace lra {

namespace F = torch::nn::functional;

int64_t fft_length(int64_t at_least) {
  for (int64_t n = std::max<int64_t>(1, at_least);; ++n) {
    int64_t m = n;
    for (int64_t p : {2, 3, 5})
      while (m % p == 0) m /= p;
    if (m == 1) return n;
  }
}

torch::Tensor fft_convolution(const torch::Tensor& u, const torch::Tensor& forward_kernel,
                              const torch::Tensor& backward_kernel) {
  // In fp32 whatever the autocast precision: cuFFT has no bf16 transforms, and fp16 ones only for powers
  // of two; the products of a long convolution are also where reduced precision loses most.
  if (u.scalar_type() != torch::kFloat32 || forward_kernel.scalar_type() != torch::kFloat32)
    return fft_convolution(u.to(torch::kFloat32), forward_kernel.to(torch::kFloat32),
                           backward_kernel.defined() ? backward_kernel.to(torch::kFloat32) : backward_kernel);
  const int64_t length = u.size(1);
  // A circular convolution of n >= 2L - 1 points has no wrap-around between lags -(L-1)..L-1. n = 2L
  // itself is 2 x a prime for L = 257 (the cpu profile's length), where the FFT falls back to a slow
  // algorithm for prime factors: a 5-smooth n is 2.7x faster there (measured with libtorch 1.13).
  const int64_t n = fft_length(2 * length);
  auto k = forward_kernel;  // (H,L): lags 0..L-1, zero-padded to n by rfft
  if (backward_kernel.defined())  // (H,n): lags 0..L-1, then -L..-1 at the end (circular)
    k = F::pad(forward_kernel, F::PadFuncOptions({0, n - length})) +
        F::pad(backward_kernel.flip(-1), F::PadFuncOptions({n - length, 0}));
  const auto k_f = torch::fft::rfft(k, n, -1).t();                  // (n/2+1,H)
  const auto u_f = torch::fft::rfft(u, n, 1);                       // (B,n/2+1,H)
  return torch::fft::irfft(u_f * k_f, n, 1).narrow(1, 0, length);  // (B,L,H)
}

}  // namespace lra
