// The fused GELU + dropout of the feed-forward block: the same mask as the fast dropout of the same
// seed, GELU values and gradients equal to libtorch's exact (erf) GELU, and autograd wiring.
#include "tests/catch_torch.h"

#include <torch/torch.h>

#include "models/dropout.h"
#include "models/gelu_dropout.h"

namespace {
// An odd length, so the vector loops' remainders run too; values spread over GELU's curved range.
torch::Tensor sample_input() {
  torch::manual_seed(11);
  return torch::randn({3, 1001}) * 3.0;
}
}  // namespace

TEST_CASE("fused gelu+dropout equals dropout(gelu(x)) with the same seed, mask and all", "[dropout][gelu]") {
  const auto x = sample_input();
  for (double p : {0.0, 0.1, 0.3}) {
    INFO("p=" << p);
    const auto fused = lra::gelu_dropout_with_seed(x, p, 1234);
    const auto reference = p > 0 ? lra::dropout_with_seed(torch::gelu(x), p, 1234) : torch::gelu(x);
    // The same elements dropped; where gelu(x) is within rounding of 0 (x << 0) the two erf
    // implementations may differ in whether it underflows, so those elements say nothing of the mask.
    const auto visible = torch::gelu(x).abs() > 1e-6;
    CHECK(torch::equal(fused.ne(0).masked_select(visible), reference.ne(0).masked_select(visible)));
    CHECK(fused.allclose(reference, 1e-5, 1e-6));
  }
}

TEST_CASE("fused gelu+dropout backward equals gelu_backward of the masked gradient", "[dropout][gelu]") {
  const auto x = sample_input();
  const auto grad = torch::randn_like(x);
  for (double p : {0.0, 0.3}) {
    INFO("p=" << p);
    const auto fused = lra::gelu_dropout_backward(grad, x, p, 99);
    const auto masked = p > 0 ? lra::dropout_with_seed(grad, p, 99) : grad;
    CHECK(fused.allclose(torch::gelu_backward(masked, x), 1e-5, 1e-6));
  }
}

TEST_CASE("gelu_dropout in training is an autograd function drawing its seed like the dropout", "[dropout][gelu]") {
  lra::set_dropout_implementation("fast");
  const auto x0 = sample_input();
  auto x = x0.clone().requires_grad_(true);
  const auto weights = torch::randn_like(x0);
  torch::manual_seed(5);
  const auto y = lra::gelu_dropout(x, 0.25, /*training=*/true);
  (y * weights).sum().backward();

  torch::manual_seed(5);
  const uint64_t seed = lra::draw_dropout_seed();
  auto xr = x0.clone().requires_grad_(true);
  const auto mask = lra::dropout_with_seed(torch::ones_like(x0), 0.25, seed);  // 0 or 1/(1-p)
  const auto yr = torch::gelu(xr) * mask;
  (yr * weights).sum().backward();
  CHECK(y.allclose(yr, 1e-5, 1e-6));
  CHECK(x.grad().allclose(xr.grad(), 1e-5, 1e-6));
}

TEST_CASE("gelu_dropout without dropout is a GELU with libtorch's values and gradients, torch dropout is unfused",
          "[dropout][gelu]") {
  const auto x0 = sample_input();
  CHECK(lra::gelu_dropout(x0, 0.3, /*training=*/false).allclose(torch::gelu(x0), 1e-5, 1e-6));
  auto x = x0.clone().requires_grad_(true);
  const auto weights = torch::randn_like(x0);
  (lra::gelu_dropout(x, 0.0, /*training=*/true) * weights).sum().backward();
  CHECK(x.grad().allclose(torch::gelu_backward(weights, x0), 1e-5, 1e-6));
  lra::set_dropout_implementation("torch");
  torch::manual_seed(2);
  const auto y = lra::gelu_dropout(x0, 0.5, /*training=*/true);
  lra::set_dropout_implementation("fast");
  const auto kept = y.ne(0);
  CHECK(y.masked_select(kept).allclose(torch::gelu(x0).masked_select(kept) * 2.0, 1e-5, 1e-6));
}

TEST_CASE("bf16 gelu+dropout computes in fp32 and rounds once, and so does its backward", "[dropout][gelu]") {
  const auto x = sample_input().to(torch::kBFloat16);
  const auto xf = x.to(torch::kFloat);
  const auto grad = torch::randn(x.sizes()).to(torch::kBFloat16);
  for (double p : {0.0, 0.3}) {
    INFO("p=" << p);
    const auto fused = lra::gelu_dropout_with_seed(x, p, 77);
    REQUIRE(fused.scalar_type() == torch::kBFloat16);
    // fp32 kernel on the same values, rounded to bf16 at the end: equal up to one bf16 rounding step
    const auto reference = lra::gelu_dropout_with_seed(xf, p, 77).to(torch::kBFloat16);
    CHECK(fused.to(torch::kFloat).allclose(reference.to(torch::kFloat), 1e-2, 1e-5));
    const auto fused_grad = lra::gelu_dropout_backward(grad, x, p, 77);
    const auto reference_grad = lra::gelu_dropout_backward(grad.to(torch::kFloat), xf, p, 77).to(torch::kBFloat16);
    CHECK(fused_grad.to(torch::kFloat).allclose(reference_grad.to(torch::kFloat), 1e-2, 1e-5));
  }
}
