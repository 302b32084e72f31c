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

TEST_CASE("fused softmax gives lowest()-filled scores (local attention's mask) probability and gradient 0, "
          "and an all-masked row zeros, not NaN", "[dropout][softmax]") {
  auto scores = torch::randn({1, 2, 33});
  scores.index_put_({0, 0, torch::indexing::Slice(0, 10)}, std::numeric_limits<float>::lowest());
  const auto [probs, dropped] = lra::softmax_dropout_with_seed(scores, torch::Tensor(), 0.3, 8);
  CHECK(probs.allclose(torch::softmax(scores, -1), 1e-5, 1e-7));
  CHECK(probs.index({0, 0, torch::indexing::Slice(0, 10)}).abs().max().item<float>() == 0.0f);
  const auto grad = lra::softmax_dropout_backward(torch::randn_like(scores), probs, 0.3, 8);
  CHECK(grad.index({0, 0, torch::indexing::Slice(0, 10)}).abs().max().item<float>() == 0.0f);
  CHECK(torch::isfinite(grad).all().item<bool>());
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
  // runtime.dropout=torch: libtorch's Bernoulli mask, not the one the fused kernel draws from the same state
  torch::manual_seed(2);
  const uint64_t seed = lra::draw_dropout_seed();
  const auto fused = lra::softmax_dropout_with_seed(scores, keep, 0.5, seed).second;
  lra::set_dropout_implementation("torch");
  torch::manual_seed(2);
  const auto y = lra::softmax_dropout(scores, keep, 0.5, /*training=*/true);
  lra::set_dropout_implementation("fast");
  CHECK_FALSE(torch::equal(y.ne(0), fused.ne(0)));
  const auto kept = y.ne(0);
  CHECK(y.masked_select(kept).allclose(torch::softmax(lra::mask_keys(scores, keep), -1).masked_select(kept) * 2.0,
                                       1e-5, 1e-7));
}

TEST_CASE("a row crossing a 2^32-element mask block takes each element's mask from its own block",
          "[dropout][softmax]") {
  constexpr int64_t cols = 1000, row = 4294967;  // row * cols = 2^32 - 296
  const uint64_t seed = 12345;
  const double p = 0.5;
  const lra::RowMasks masks = lra::softmax_dropout_row_masks(row, cols, p, seed);
  REQUIRE(masks.split == 296);
  const auto scores = torch::zeros({cols});
  auto probs = torch::empty({cols});
  auto dropped = torch::empty({cols});
  lra::softmax_dropout_row(scores.data_ptr<float>(), nullptr, probs.data_ptr<float>(), dropped.data_ptr<float>(), cols,
                           masks);
  // Element i of the flattened tensor: block i >> 32 keyed by mix64(seed + block), counter uint32(i).
  const uint32_t threshold = lra::keep_threshold(p);
  int64_t mismatches = 0, kept_in_tail = 0;
  for (int64_t j = 0; j < cols; ++j) {
    const uint64_t i = static_cast<uint64_t>(row * cols + j);
    const auto key = static_cast<uint32_t>(lra::mix64(seed + (i >> 32)));
    const bool keep = lra::mask_bits(static_cast<uint32_t>(i), key) < threshold;
    mismatches += keep != (dropped[j].item<float>() != 0.0f);
    kept_in_tail += j >= masks.split && keep;
  }
  CHECK(mismatches == 0);
  CHECK(kept_in_tail > 0);
  CHECK(probs.allclose(torch::full({cols}, 1.0f / cols)));
}
