// The fast dropout: keep rate, independence between elements and between calls, determinism by
// seed, and a backward that applies exactly the forward's mask.
#include "tests/catch_torch.h"

#include <torch/torch.h>

#include "models/dropout.h"

namespace {
double correlation(const torch::Tensor& a, const torch::Tensor& b) {
  auto x = a.to(torch::kFloat64) - a.to(torch::kFloat64).mean();
  auto y = b.to(torch::kFloat64) - b.to(torch::kFloat64).mean();
  return ((x * y).mean() / (x.std(false) * y.std(false))).item<double>();
}
}  // namespace

TEST_CASE("fast dropout keeps 1-p of the elements and scales them by 1/(1-p)", "[dropout]") {
  lra::set_dropout_implementation("fast");
  auto x = torch::ones({1 << 20});
  for (double p : {0.1, 0.3, 0.5}) {
    auto y = lra::dropout(x, p, true);
    auto kept = y.ne(0);
    double rate = kept.to(torch::kFloat64).mean().item<double>();
    INFO("p=" << p << " keep rate=" << rate);
    CHECK(std::abs(rate - (1 - p)) < 0.003);  // ~6 sigma for 2^20 Bernoulli draws
    CHECK(y.masked_select(kept).allclose(torch::full({1}, 1.0 / (1 - p))));
  }
}

TEST_CASE("fast dropout masks are independent between neighbouring elements and between calls", "[dropout]") {
  torch::manual_seed(3);
  auto x = torch::ones({1 << 20});
  auto a = lra::dropout(x, 0.5, true).ne(0), b = lra::dropout(x, 0.5, true).ne(0);
  const int64_t n = a.numel();
  CHECK(std::abs(correlation(a.slice(0, 0, n - 1), a.slice(0, 1, n))) < 0.01);
  CHECK(std::abs(correlation(a.slice(0, 0, n - 64), a.slice(0, 64, n))) < 0.01);
  CHECK(std::abs(correlation(a, b)) < 0.01);
  CHECK_FALSE(torch::equal(a, b));
}

TEST_CASE("fast dropout is deterministic under torch::manual_seed", "[dropout]") {
  auto x = torch::randn({1000});
  torch::manual_seed(11);
  auto a = lra::dropout(x, 0.3, true);
  torch::manual_seed(11);
  auto b = lra::dropout(x, 0.3, true);
  CHECK(torch::equal(a, b));
}

TEST_CASE("fast dropout's backward applies exactly the forward mask", "[dropout]") {
  auto x = torch::randn({64, 33}, torch::requires_grad());
  auto y = lra::dropout(x, 0.25, true);
  auto weight = torch::randn({64, 33});
  (y * weight).sum().backward();
  auto mask = y.detach().ne(0).to(torch::kFloat32) / 0.75;
  CHECK(torch::allclose(x.grad(), weight * mask));
  CHECK(torch::allclose(y.detach(), x.detach() * mask));
}

TEST_CASE("dropout is the identity in eval mode and for p = 0, and p = 1 zeroes", "[dropout]") {
  auto x = torch::randn({10});
  CHECK(torch::equal(lra::dropout(x, 0.5, false), x));
  CHECK(torch::equal(lra::dropout(x, 0.0, true), x));
  CHECK(lra::dropout(x, 1.0, true).abs().sum().item<float>() == 0.0f);
}

TEST_CASE("an unknown dropout implementation is rejected", "[dropout]") {
  CHECK_THROWS(lra::set_dropout_implementation("magic"));
  lra::set_dropout_implementation("torch");
  CHECK(lra::dropout(torch::ones({100}), 0.5, true).ne(0).sum().item<int64_t>() > 0);
  lra::set_dropout_implementation("fast");
}

TEST_CASE("bf16 fast dropout is the fp32 dropout of the same seed rounded to bf16, bit for bit", "[dropout]") {
  torch::manual_seed(8);
  const auto x = torch::randn({5, 3001}).to(torch::kBFloat16);
  const auto seed = lra::draw_dropout_seed();
  const auto bf16 = lra::dropout_with_seed(x, 0.3, seed);
  REQUIRE(bf16.scalar_type() == torch::kBFloat16);
  CHECK(torch::equal(bf16, lra::dropout_with_seed(x.to(torch::kFloat), 0.3, seed).to(torch::kBFloat16)));
}
