#include "models/ssm/fft_convolution.h"

#include <algorithm>

#include <torch/autograd.h>
#include <torch/fft.h>
#include <torch/nn/functional/padding.h>

namespace lra {

namespace F = torch::nn::functional;

namespace {

// y = the first L points of the circular convolution of u (zero-padded to n) with k, by real FFT, with a
// backward of its own. Autograd's backward of rfft(u) is a full-length complex transform of the batch;
// here both gradients are real correlations, one irfft each:
//   du[s] = sum_t dy[t] k[t-s]            = irfft(DY conj(K))[s]
//   dk[j] = sum_b sum_t dy[b,t] u[b,t-j]  = irfft(sum_b DY conj(U))[j]   (indices mod n)
// u (B,L,H), k (H,n) -> (B,L,H); U, K, DY are the (.., n/2+1, H) half spectra.
class FFTConvolution : public torch::autograd::Function<FFTConvolution> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& u, const torch::Tensor& k,
                               int64_t n) {
    const auto k_f = torch::fft::rfft(k, n, -1).t();  // (n/2+1,H)
    const auto u_f = torch::fft::rfft(u, n, 1);       // (B,n/2+1,H)
    ctx->save_for_backward({u_f, k_f});
    ctx->saved_data["n"] = n;
    ctx->saved_data["length"] = u.size(1);
    return torch::fft::irfft(u_f * k_f, n, 1).narrow(1, 0, u.size(1));
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &u_f = saved[0], &k_f = saved[1];
    const int64_t n = ctx->saved_data["n"].toInt(), length = ctx->saved_data["length"].toInt();
    const auto dy_f = torch::fft::rfft(grads[0], n, 1);  // (B,n/2+1,H): dy zero-padded to n
    torch::Tensor du, dk;
    if (ctx->needs_input_grad(0)) du = torch::fft::irfft(dy_f * k_f.conj(), n, 1).narrow(1, 0, length);
    if (ctx->needs_input_grad(1)) dk = torch::fft::irfft((dy_f * u_f.conj()).sum(0), n, 0).t();  // (H,n)
    return {du, dk, torch::Tensor()};
  }
};

}  // namespace

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
  const auto reduced = [](const torch::Tensor& t) {
    return t.defined() && (t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf);
  };
  if (reduced(u) || reduced(forward_kernel) || reduced(backward_kernel)) {
    const auto fp32 = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat32) : t; };
    return fft_convolution(fp32(u), fp32(forward_kernel), fp32(backward_kernel));
  }
  const int64_t length = u.size(1);
  // A circular convolution of n >= 2L - 1 points has no wrap-around between lags -(L-1)..L-1. n = 2L
  // itself is 2 x a prime for L = 257 (the cpu profile's length), where the FFT falls back to a slow
  // algorithm for prime factors: a 5-smooth n is 2.7x faster there (measured with libtorch 1.13).
  const int64_t n = fft_length(2 * length);
  // (H,n): lags 0..L-1, zero-padded; with a backward kernel, lags -L..-1 at the end (circular).
  auto k = F::pad(forward_kernel, F::PadFuncOptions({0, n - length}));
  if (backward_kernel.defined()) k = k + F::pad(backward_kernel.flip(-1), F::PadFuncOptions({n - length, 0}));
  return FFTConvolution::apply(u, k, n);  // (B,L,H)
}

}  // namespace lra
