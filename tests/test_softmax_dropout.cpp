// The fused masked softmax + dropout of the attention probabilities: the same mask as the fast dropout
// of the same seed, libtorch's softmax values and gradients, masked keys, and autograd wiring.
#include "tests/catch_torch.h"

#include <limits>

#include <torch/torch.h>

#include "models/attention/heads.h"
#include "models/dropout.h"
#include "models/softmax_dropout.h"

namespace {
// (B,H,Q,M) scores with an odd key count, so the vector loops' remainders run too.
torch::Tensor sample_scores() {
  torch::manual_seed(5);
  return torch::randn({2, 3, 7, 1001}) * 4.0;
}

// (B,M) keys to attend: a different padded tail per sequence.
torch::Tensor sample_keep() {
  auto keep = torch::ones({2, 1001}, torch::kBool);
  keep.index_put_({0, torch::indexing::Slice(900, torch::indexing::None)}, false);
  keep.index_put_({1, torch::indexing::Slice(17, 40)}, false);
  return keep;
}

// The unfused reference: softmax of the masked scores, times the dropout's mask as a tensor (so that
// libtorch's autograd differentiates it).
torch::Tensor reference(const torch::Tensor& scores, const torch::Tensor& keep, double p, uint64_t seed) {
  const auto probs = torch::softmax(lra::mask_keys(scores, keep), -1);
  return p > 0 ? probs * lra::dropout_with_seed(torch::ones_like(scores), p, seed) : probs;
}
}  // namespace

TEST_CASE("fused softmax+dropout equals dropout(softmax(masked scores)) with the same seed", "[dropout][softmax]") {
  const auto scores = sample_scores();
  const auto keep = sample_keep();
  for (double p : {0.0, 0.1, 0.3}) {
    INFO("p=" << p);
    const auto [probs, dropped] = lra::softmax_dropout_with_seed(scores, keep, p, 4321);
    CHECK(probs.allclose(torch::softmax(lra::mask_keys(scores, keep), -1), 1e-5, 1e-7));
    const auto expected = reference(scores, keep, p, 4321);
    CHECK(dropped.allclose(expected, 1e-5, 1e-7));
    CHECK(torch::equal(dropped.ne(0), expected.ne(0)));  // the very same elements dropped
    // Masked keys: probability exactly 0, rows still sum to 1.
    CHECK(probs.index({0, torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(900, torch::indexing::None)})
              .abs().max().item<float>() == 0.0f);
    CHECK(probs.sum(-1).allclose(torch::ones({2, 3, 7}), 1e-5, 1e-6));
  }
}

TEST_CASE("fused softmax+dropout backward equals libtorch's gradient of the unfused formula", "[dropout][softmax]") {
  const auto scores = sample_scores();
  const auto keep = sample_keep();
  const auto grad = torch::randn_like(scores);
  for (double p : {0.0, 0.3}) {
    INFO("p=" << p);
    const auto [probs, dropped] = lra::softmax_dropout_with_seed(scores, keep, p, 77);
    const auto fused = lra::softmax_dropout_backward(grad, probs, p, 77);
    auto s = scores.clone().requires_grad_(true);
    reference(s, keep, p, 77).backward(grad);
    CHECK(fused.allclose(s.grad(), 1e-4, 1e-6));
    CHECK(fused.index({0, torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(900, torch::indexing::None)})
              .abs().max().item<float>() == 0.0f);  // no gradient into masked keys
  }
}

TEST_CASE("fused softmax takes -inf scores as masked and gives an all-masked row zeros, not NaN", "[dropout][softmax]") {
  auto scores = torch::randn({1, 2, 33});
  scores.index_put_({0, 0, torch::indexing::Slice(0, 10)}, -std::numeric_limits<float>::infinity());  // local's mask
  const auto [probs, dropped] = lra::softmax_dropout_with_seed(scores, torch::Tensor(), 0.0, 0);
  CHECK(probs.allclose(torch::softmax(scores, -1), 1e-5, 1e-7));
  auto keep = torch::ones({1, 33}, torch::kBool);
  keep.fill_(false);
  const auto [none, none_dropped] = lra::softmax_dropout_with_seed(scores, keep, 0.2, 3);
  CHECK(torch::equal(none, torch::zeros_like(scores)));
  CHECK(torch::equal(none_dropped, torch::zeros_like(scores)));
}

TEST_CASE("softmax_dropout in training is an autograd function drawing its seed like the dropout", "[dropout][softmax]") {
  lra::set_dropout_implementation("fast");
  const auto scores0 = sample_scores();
  const auto keep = sample_keep();
  torch::manual_seed(9);
  const uint64_t seed = lra::draw_dropout_seed();
  torch::manual_seed(9);
  auto scores = scores0.clone().requires_grad_(true);
  const auto y = lra::softmax_dropout(scores, keep, 0.25, /*training=*/true);
  CHECK(y.allclose(reference(scores0, keep, 0.25, seed), 1e-5, 1e-7));
  const auto grad = torch::randn_like(y);
  y.backward(grad);
  const auto [probs, dropped] = lra::softmax_dropout_with_seed(scores0, keep, 0.25, seed);
  CHECK(scores.grad().allclose(lra::softmax_dropout_backward(grad, probs, 0.25, seed), 1e-6, 1e-7));
  // Eval, or no dropout: the masked softmax, no RNG draw.
  torch::manual_seed(9);
  const auto eval = lra::softmax_dropout(scores0, keep, 0.25, /*training=*/false);
  CHECK(eval.allclose(torch::softmax(lra::mask_keys(scores0, keep), -1), 1e-5, 1e-7));
  CHECK(lra::draw_dropout_seed() == seed);
}

TEST_CASE("softmax_dropout falls back to the unfused formula for bf16 and for torch's dropout", "[dropout][softmax]") {
  const auto scores = sample_scores();
  const auto keep = sample_keep();
  const auto bf16 = lra::softmax_dropout(scores.to(torch::kBFloat16), keep, 0.0, /*training=*/false);
  CHECK(bf16.scalar_type() == torch::kBFloat16);
  CHECK(bf16.to(torch::kFloat).allclose(torch::softmax(lra::mask_keys(scores, keep), -1), 1e-2, 1e-2));
  lra::set_dropout_implementation("torch");
  const auto y = lra::softmax_dropout(scores, keep, 0.5, /*training=*/true);
  lra::set_dropout_implementation("fast");
  const auto kept = y.ne(0).to(torch::kFloat).mean().item<double>();
  CHECK(kept == Approx(0.5 * 0.95).margin(0.02));  // ~5% of keys masked on average
}
