// Performer (FAVOR+) against a naive statement of its formula: loops over samples, heads, tokens and
// random features in double, from the module's projections and random features; plus the kernel
// approximating softmax attention, orthogonality, determinism by seed, redrawing and checkpointing.
#include "tests/catch_torch.h"

#include <cmath>
#include <limits>

#include "models/attention/performer.h"
#include "models/state_dict.h"
#include "tests/attention_reference.h"

using lra::test::dbl;
using lra::test::head_slice;
using lra::test::max_diff_at_real;
using lra::test::naive_linear;
using lra::test::print_maxdiff;
using lra::test::random_attention_input;
using lra::test::real_positions;
using torch::Tensor;

namespace {

// phi_r(x) = (exp(w_r . x^ - |x^|^2 / 2 - c) + 1e-6) / sqrt(M), x^ = x E^(-1/4), for one token.
std::vector<double> naive_phi(const Tensor& w, const Tensor& x, double c) {
  const int64_t m = w.size(0), e = w.size(1);
  const double scale = std::pow(static_cast<double>(e), -0.25);
  double half_norm = 0.0;
  for (int64_t t = 0; t < e; ++t) half_norm += 0.5 * std::pow(scale * x[t].item<double>(), 2);
  std::vector<double> phi(m);
  for (int64_t r = 0; r < m; ++r) {
    double dot = 0.0;
    for (int64_t t = 0; t < e; ++t) dot += w[r][t].item<double>() * scale * x[t].item<double>();
    phi[r] = (std::exp(dot - half_norm - c) + 1e-6) / std::sqrt(static_cast<double>(m));
  }
  return phi;
}

// max_r w_r . x^ over the given tokens (rows of x): the paper implementation's stabiliser.
double naive_max_projection(const Tensor& w, const Tensor& x, const std::vector<int64_t>& rows) {
  const double scale = std::pow(static_cast<double>(w.size(1)), -0.25);
  double best = -std::numeric_limits<double>::infinity();
  for (auto i : rows)
    for (int64_t r = 0; r < w.size(0); ++r) best = std::max(best, (w[r] * x[i] * scale).sum().item<double>());
  return best;
}

// out_i = sum_j (phi(q_i) . phi(k_j)) v_j / sum_j phi(q_i) . phi(k_j) over real j, then out_proj.
Tensor naive_performer(lra::PerformerAttentionImpl& a, const Tensor& x, const Tensor& mask) {
  const int64_t D = a.options.d_model(), H = a.options.heads(), E = D / H, N = x.size(1);
  const Tensor w = dbl(a.random_features);
  Tensor out = torch::zeros({x.size(0), N, D}, torch::kDouble);
  for (int64_t b = 0; b < x.size(0); ++b) {
    const auto real = real_positions(mask, b);
    const Tensor xb = dbl(x[b]);
    const Tensor q = naive_linear(xb, a.q_proj), k = naive_linear(xb, a.k_proj), v = naive_linear(xb, a.v_proj);
    Tensor merged = torch::zeros({N, D}, torch::kDouble);
    for (int64_t h = 0; h < H; ++h) {
      const Tensor qh = head_slice(q, h, E), kh = head_slice(k, h, E), vh = head_slice(v, h, E);
      const double key_shift = naive_max_projection(w, kh, real);
      std::vector<std::vector<double>> phi_k;
      for (auto j : real) phi_k.push_back(naive_phi(w, kh[j], key_shift));
      for (auto i : real) {
        const auto phi_q = naive_phi(w, qh[i], naive_max_projection(w, qh, {i}));
        Tensor numerator = torch::zeros({E}, torch::kDouble);
        double denominator = 0.0;
        for (size_t jj = 0; jj < real.size(); ++jj) {
          double kernel = 0.0;
          for (size_t r = 0; r < phi_q.size(); ++r) kernel += phi_q[r] * phi_k[jj][r];
          numerator += kernel * vh[real[jj]];
          denominator += kernel;
        }
        merged[i].narrow(0, h * E, E).copy_(numerator / denominator);
      }
    }
    out[b] = naive_linear(merged, a.out_proj);
  }
  return out;
}

// Exact softmax attention with the module's projections (real keys only), for the approximation check.
Tensor exact_softmax_attention(lra::PerformerAttentionImpl& a, const Tensor& x, const Tensor& mask) {
  const int64_t D = a.options.d_model(), H = a.options.heads(), E = D / H;
  Tensor out = torch::zeros({x.size(0), x.size(1), D}, torch::kDouble);
  for (int64_t b = 0; b < x.size(0); ++b) {
    const Tensor xb = dbl(x[b]);
    const Tensor q = naive_linear(xb, a.q_proj), k = naive_linear(xb, a.k_proj), v = naive_linear(xb, a.v_proj);
    const Tensor key_bias = torch::zeros({x.size(1)}, torch::kDouble).masked_fill(mask[b].logical_not(), -1e30);
    Tensor merged = torch::zeros({x.size(1), D}, torch::kDouble);
    for (int64_t h = 0; h < H; ++h) {
      const Tensor scores = head_slice(q, h, E).matmul(head_slice(k, h, E).t()) / std::sqrt(double(E)) + key_bias;
      merged.narrow(1, h * E, E).copy_(torch::softmax(scores, -1).matmul(head_slice(v, h, E)));
    }
    out[b] = naive_linear(merged, a.out_proj);
  }
  return out;
}

}  // namespace

TEST_CASE("performer matches a naive statement of FAVOR+ with the module's random features",
          "[attention][performer][parity]") {
  for (int64_t features : {5, 16, 24}) {  // fewer than E, one block, a partial second block
    torch::manual_seed(21);
    lra::PerformerAttention attention(lra::PerformerOptions(32, 2).features(features));
    attention->eval();
    const auto input = random_attention_input({11, 7, 1}, 11, 32, 22);
    const auto out = attention->forward(input.x, input.mask);
    const double maxdiff = max_diff_at_real(out, naive_performer(*attention, input.x, input.mask), input.mask);
    print_maxdiff("performer vs naive FAVOR+ (features " + std::to_string(features) + ")", maxdiff, 1e-5);
    CHECK(maxdiff <= 1e-5);
  }
}

TEST_CASE("performer approaches exact softmax attention as the random features grow",
          "[attention][performer]") {
  // FAVOR+ is a Monte Carlo estimate whose error shrinks like 1/sqrt(features): 64x the features
  // should cut the mean error about 8x (checked: at least 3x, averaged over four draws), and many
  // features must come close to exact.
  const auto input = random_attention_input({9, 6}, 9, 16, 24, /*scale=*/0.5);
  auto mean_error_with = [&](int64_t features) {
    double total = 0.0;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      torch::manual_seed(23 + seed);
      lra::PerformerAttention attention(lra::PerformerOptions(16, 2).features(features));
      attention->eval();
      const auto diff = (dbl(attention->forward(input.x, input.mask)) -
                         dbl(exact_softmax_attention(*attention, input.x, input.mask))).abs();
      const auto real = input.mask.unsqueeze(-1).expand_as(diff);
      total += diff.masked_select(real).mean().item<double>() / 4.0;
    }
    return total;
  };
  const double coarse = mean_error_with(64), fine = mean_error_with(4096);
  print_maxdiff("performer (64 features, E=8): mean |error| vs exact softmax", coarse, 1.0);
  print_maxdiff("performer (4096 features, E=8): mean |error| vs exact softmax", fine, 1e-2);
  CHECK(fine <= 1e-2);
  CHECK(fine * 3.0 <= coarse);
}

TEST_CASE("performer random features are orthogonal in blocks of E rows and Gaussian-length",
          "[attention][performer]") {
  torch::manual_seed(25);
  const auto w = lra::orthogonal_random_features(20, 8).to(torch::kDouble);  // blocks of 8, 8, 4 rows
  for (auto [start, rows] : {std::pair<int64_t, int64_t>{0, 8}, {8, 8}, {16, 4}}) {
    const auto block = w.narrow(0, start, rows);
    const auto gram = block.matmul(block.t());
    const auto off_diagonal = (gram - torch::diag(torch::diag(gram))).abs().max().item<double>();
    CAPTURE(start, off_diagonal);
    CHECK(off_diagonal < 1e-5);
  }
  // Row lengths are chi(8): mean ~ 2.74; 20 draws stay well inside (1, 5).
  const auto lengths = w.square().sum(1).sqrt();
  CHECK(lengths.min().item<double>() > 1.0);
  CHECK(lengths.max().item<double>() < 5.0);
}

TEST_CASE("performer random features are unbiased: E[exp(w.x - |x|^2/2)] = 1 and E[w] = 0",
          "[attention][performer]") {
  // Q of a plain Householder QR is not Haar-distributed (its columns lean one way); FAVOR+ needs
  // directions uniform on the sphere or the softmax kernel estimate is biased (1.10 instead of 1 here).
  torch::manual_seed(27);
  const auto w = lra::orthogonal_random_features(100000, 8).to(torch::kDouble);  // (M,E)
  const auto x = torch::full({8}, 0.5, torch::kDouble);                          // |x|^2 = 2
  const double kernel_mean = torch::exp(w.matmul(x) - 1.0).mean().item<double>();
  const double worst_coordinate_mean = w.mean(0).abs().max().item<double>();
  CAPTURE(kernel_mean, worst_coordinate_mean);
  CHECK(std::abs(kernel_mean - 1.0) < 0.03);
  CHECK(worst_coordinate_mean < 0.03);
}

TEST_CASE("performer features are deterministic by seed, redrawn every redraw_interval training calls",
          "[attention][performer]") {
  const auto input = random_attention_input({6, 4}, 6, 16, 26);
  auto build = [](uint64_t seed, int64_t interval) {
    torch::manual_seed(seed);
    return lra::PerformerAttention(lra::PerformerOptions(16, 2).features(8).redraw_interval(interval));
  };
  CHECK(torch::equal(build(1, 2)->random_features, build(1, 2)->random_features));
  CHECK(!torch::equal(build(1, 2)->random_features, build(2, 2)->random_features));

  auto every_two = build(3, 2);
  const Tensor first = every_two->random_features.clone();
  every_two->train();
  every_two->forward(input.x, input.mask);
  every_two->forward(input.x, input.mask);
  CHECK(torch::equal(every_two->random_features, first));  // two calls with the first draw
  every_two->forward(input.x, input.mask);
  CHECK(!torch::equal(every_two->random_features, first));  // the third call redraws
  CHECK(every_two->forward_calls.item<int64_t>() == 1);
  const Tensor second = every_two->random_features.clone();
  every_two->eval();
  for (int i = 0; i < 5; ++i) every_two->forward(input.x, input.mask);
  CHECK(torch::equal(every_two->random_features, second));  // evaluation never redraws

  auto never = build(4, 0);
  const Tensor fixed = never->random_features.clone();
  never->train();
  for (int i = 0; i < 5; ++i) never->forward(input.x, input.mask);
  CHECK(torch::equal(never->random_features, fixed));
}

TEST_CASE("performer checkpoints carry the random features and the redraw counter", "[attention][performer]") {
  torch::manual_seed(27);
  lra::PerformerAttention saved(lra::PerformerOptions(16, 2).features(8).redraw_interval(3));
  torch::manual_seed(28);
  lra::PerformerAttention loaded(lra::PerformerOptions(16, 2).features(8).redraw_interval(3));
  const auto input = random_attention_input({6, 4}, 6, 16, 29);
  saved->train();
  saved->forward(input.x, input.mask);
  const auto dict = lra::state_dict(*saved);
  CHECK(dict.contains("random_features"));
  CHECK(dict.contains("forward_calls"));
  lra::load_state_dict(*loaded, dict);
  CHECK(torch::equal(loaded->random_features, saved->random_features));
  CHECK(loaded->forward_calls.item<int64_t>() == 1);
  saved->eval();
  loaded->eval();
  CHECK(torch::equal(saved->forward(input.x, input.mask), loaded->forward(input.x, input.mask)));
}

TEST_CASE("performer rejects bad model.attention values naming the key", "[attention][performer][config]") {
  lra::ModelConfig model;
  model.name = "performer";
  model.attention = {{"features", 0}};
  CHECK_THROWS_WITH(lra::performer_options(model), Catch::Matchers::Contains("model.attention.features"));
  model.attention = {{"redraw_interval", -1}};
  CHECK_THROWS_WITH(lra::performer_options(model), Catch::Matchers::Contains("model.attention.redraw_interval"));
}
