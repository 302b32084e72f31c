// S4D: the convolution kernel against the discretised state-space recurrence run step by step, and the
// whole classifier against an independent eager reference in Python (tests/reference/s4d_reference.py,
// float64, Toeplitz convolution), with a perturbation control.
#include "model_fixtures.h"  // first: see there

#include <complex>
#include <cstdlib>
#include <fstream>

#include <torch/torch.h>

#include "attention_reference.h"
#include "python_reference.h"
#include "models/ssm/s4d.h"
#include "models/state_dict.h"
#include "run_support.h"

namespace {

using Complex = std::complex<double>;

// y[t] = 2 Re(C x_t), x_t = exp(dt A) x_{t-1} + (exp(dt A) - 1)/A u[t] (ZOH, B = 1), per channel h and
// mode n; with `backward`, the kernel of channel 1 runs from the end and reads only inputs ahead of t.
torch::Tensor recurrence(lra::S4DKernelImpl& kernel, const torch::Tensor& u, bool backward) {
  const int64_t length = u.size(0), h = u.size(1), n2 = kernel.A_imag.size(1);
  auto y = torch::zeros({length, h}, torch::kFloat64);
  const auto u64 = u.to(torch::kFloat64);
  const auto ua = u64.accessor<double, 2>();
  auto ya = y.accessor<double, 2>();
  const auto log_dt = kernel.log_dt.to(torch::kFloat64), log_a = kernel.log_A_real.to(torch::kFloat64),
             a_imag = kernel.A_imag.to(torch::kFloat64), c = kernel.C.to(torch::kFloat64);
  const int64_t channel = backward ? 1 : 0;
  for (int64_t hh = 0; hh < h; ++hh) {
    const double dt = std::exp(log_dt[hh].item<double>());
    for (int64_t n = 0; n < n2; ++n) {
      const Complex a(-std::exp(log_a[hh][n].item<double>()), a_imag[hh][n].item<double>());
      const Complex a_bar = std::exp(dt * a), b_bar = (a_bar - 1.0) / a;
      const Complex cn(c[channel][hh][n][0].item<double>(), c[channel][hh][n][1].item<double>());
      Complex state = 0.0;
      for (int64_t i = 0; i < length; ++i) {
        const int64_t t = backward ? length - 1 - i : i;
        if (backward) ya[t][hh] += 2.0 * (cn * state).real();  // the inputs after t only
        state = a_bar * state + b_bar * ua[t][hh];
        if (!backward) ya[t][hh] += 2.0 * (cn * state).real();
      }
    }
  }
  return y;
}

}  // namespace

TEST_CASE("the S4D kernel and FFT convolution equal the state-space recurrence run step by step", "[s4d]") {
  torch::manual_seed(3);
  for (bool bidirectional : {false, true}) {
    INFO("bidirectional " << bidirectional);
    lra::S4DKernel kernel(lra::S4DOptions(6).d_state(16).dt_min(0.01).dt_max(0.5).bidirectional(bidirectional));
    torch::NoGradGuard no_grad;
    kernel->C.normal_();  // both channels non-trivial
    const int64_t length = 70;
    const auto u = torch::randn({length, 6});
    const auto k = kernel(length);  // (c,H,L)
    REQUIRE(k.sizes() == torch::IntArrayRef({bidirectional ? 2 : 1, 6, length}));
    const auto y = lra::fft_convolution(u.unsqueeze(0), k[0], bidirectional ? k[1] : torch::Tensor())[0];
    auto expected = recurrence(*kernel, u, false);
    if (bidirectional) expected += recurrence(*kernel, u, true);
    const double scale = expected.abs().max().item<double>();
    REQUIRE(scale > 0.1);
    const double diff = lra::test::max_abs_diff(y.to(torch::kFloat64), expected);
    lra::test::print_maxdiff("s4d fft convolution vs recurrence", diff, 1e-5 * scale);
    CHECK(diff <= 1e-5 * scale);
  }
}

TEST_CASE("the blocked S4D kernel equals the direct Vandermonde product at lengths that do not split evenly",
          "[s4d]") {
  torch::manual_seed(5);
  lra::S4DKernel kernel(lra::S4DOptions(6).d_state(16).bidirectional(true));
  torch::NoGradGuard no_grad;
  kernel->C.normal_();
  // The direct form in float64: K[l] = 2 Re sum_n Cd_n exp(dt A_n l), one (H,N2,L) tensor.
  const auto dt = kernel->log_dt.to(torch::kFloat64).exp();
  const auto A = torch::complex(-kernel->log_A_real.to(torch::kFloat64).exp(), kernel->A_imag.to(torch::kFloat64));
  const auto dtA = A * dt.unsqueeze(-1);
  const auto Cd = torch::view_as_complex(kernel->C.to(torch::kFloat64)) * (dtA.exp() - 1.0) / A;
  for (int64_t length : {1, 2, 3, 16, 17, 70, 4099}) {
    INFO("length " << length);
    const auto steps = torch::arange(length, torch::kFloat64);
    const auto expected = 2.0 * torch::real(torch::einsum("chn,hnl->chl", {Cd, (dtA.unsqueeze(-1) * steps).exp()}));
    const auto k = kernel(length);
    REQUIRE(k.sizes() == expected.sizes());
    const double scale = expected.abs().max().item<double>();
    const double diff = lra::test::max_abs_diff(k.to(torch::kFloat64), expected);
    CHECK(diff <= 1e-5 * scale);
  }
}

TEST_CASE("the FFT length is the smallest 5-smooth number at or above what the convolution needs", "[s4d]") {
  CHECK(lra::fft_length(514) == 540);  // 514 = 2 x 257 (prime)
  CHECK(lra::fft_length(512) == 512);
  CHECK(lra::fft_length(2 * 70) == 144);
  CHECK(lra::fft_length(1) == 1);
  CHECK(lra::fft_length(7) == 8);
}

TEST_CASE("the FFT convolution's own backward equals autograd through the FFTs, in float64", "[s4d][mega]") {
  torch::manual_seed(4);
  for (bool two_sided : {false, true}) {
    INFO("two-sided " << two_sided);
    const int64_t length = 23, n = lra::fft_length(2 * length);
    const auto u = torch::randn({3, length, 4}, torch::kFloat64).requires_grad_();
    const auto forward = torch::randn({4, length}, torch::kFloat64).requires_grad_();
    const auto backward = torch::randn({4, length}, torch::kFloat64).requires_grad_();
    const auto weights = torch::randn({3, length, 4}, torch::kFloat64);  // a loss that weighs every output
    const auto y = lra::fft_convolution(u, forward, two_sided ? backward : torch::Tensor());
    const auto grads = torch::autograd::grad({(y * weights).sum()}, {u, forward, backward}, {}, false, false, true);
    // The same convolution with autograd through rfft / irfft.
    namespace F = torch::nn::functional;
    auto k = F::pad(forward, F::PadFuncOptions({0, n - length}));
    if (two_sided) k = k + F::pad(backward.flip(-1), F::PadFuncOptions({n - length, 0}));
    const auto expected_y =
        torch::fft::irfft(torch::fft::rfft(u, n, 1) * torch::fft::rfft(k, n, -1).t(), n, 1).narrow(1, 0, length);
    const auto expected = torch::autograd::grad({(expected_y * weights).sum()}, {u, forward, backward}, {}, false,
                                                false, true);
    CHECK(lra::test::max_abs_diff(y, expected_y) < 1e-12);
    CHECK(lra::test::max_abs_diff(grads[0], expected[0]) < 1e-12);
    CHECK(lra::test::max_abs_diff(grads[1], expected[1]) < 1e-12);
    CHECK(grads[2].defined() == two_sided);
    if (two_sided) CHECK(lra::test::max_abs_diff(grads[2], expected[2]) < 1e-12);
    CHECK(grads[1].abs().max().item<double>() > 0.1);  // non-trivial gradients
  }
}

TEST_CASE("the FFT convolution runs in fp32 for reduced-precision inputs (cuFFT has no bf16)", "[s4d][mega]") {
  torch::manual_seed(3);
  const auto u = torch::randn({2, 37, 5}).to(torch::kBFloat16);
  const auto forward = torch::randn({5, 37}).to(torch::kBFloat16), backward = torch::randn({5, 37});
  const auto y = lra::fft_convolution(u, forward, backward);
  CHECK(y.scalar_type() == torch::kFloat32);
  const auto expected = lra::fft_convolution(u.to(torch::kFloat32), forward.to(torch::kFloat32), backward);
  CHECK(torch::equal(y, expected));
}

TEST_CASE("S4D logits equal an independent eager reference in Python (float64, Toeplitz convolution)",
          "[s4d][parity][python]") {
  for (const char* norm : {"pre", "post"}) {
    INFO("norm " << norm);
    const auto config = lra::test::smoke_config(
        "listops", "s4d",
        {"model.d_model=32", "model.layers=2", "model.attention.d_state=16", std::string("model.norm=") + norm,
         std::string("model.final_layer_norm=") + (std::string(norm) == "pre" ? "true" : "false"),
         "task.pooling=mean"});
    torch::manual_seed(11);
    auto model = lra::build_model(config);
    {
      torch::NoGradGuard no_grad;  // trained-looking weights: every tensor moved off its initialisation
      for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.1);
    }
    const auto task = lra::task_info_from_config(config);
    const lra::Batch batch = lra::test::make_test_batch(task, {40, 17, 33}, 40, 5);
    const auto parity = lra::test::python_parity(
        model, batch, "s4d_reference.py",
        {{"layers", 2}, {"pre_norm", std::string(norm) == "pre"}, {"pooling", "mean"}}, "s4d_parity");
    lra::test::print_maxdiff("s4d logits vs python reference", parity.max_abs_diff, 1e-5);
    CHECK(parity.max_abs_diff <= 1e-5);
    CHECK(parity.perturbed_max_abs_diff > 1e-4);  // the control: 0.05 added to one channel's C is seen (10x the tolerance)
    CHECK(parity.max_abs_logit > 0.1);
  }
}
