// Local attention against a naive statement: for every real query, an explicit softmax over the real
// keys of its window [floor(i / w) w, floor(i / w) w + w), in double, from the module's projections.
#include "tests/catch_torch.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/attention/local.h"
#include "models/attention/softmax.h"
#include "tests/attention_reference.h"

using lra::test::dbl;
using lra::test::head_slice;
using lra::test::max_diff_at_real;
using lra::test::naive_linear;
using lra::test::print_maxdiff;
using lra::test::random_attention_input;
using torch::Tensor;

namespace {

Tensor naive_local_attention(lra::LocalAttentionImpl& a, const Tensor& x, const Tensor& mask) {
  const int64_t D = a.options.d_model(), H = a.options.heads(), E = D / H, N = x.size(1);
  const int64_t w = std::min(a.options.window(), N);
  Tensor out = torch::zeros({x.size(0), N, D}, torch::kDouble);
  for (int64_t b = 0; b < x.size(0); ++b) {
    const Tensor xb = dbl(x[b]);
    const Tensor q = naive_linear(xb, a.q_proj), k = naive_linear(xb, a.k_proj), v = naive_linear(xb, a.v_proj);
    Tensor merged = torch::zeros({N, D}, torch::kDouble);
    for (int64_t h = 0; h < H; ++h) {
      const Tensor qh = head_slice(q, h, E), kh = head_slice(k, h, E), vh = head_slice(v, h, E);
      for (int64_t i = 0; i < N; ++i) {
        if (!mask[b][i].item<bool>()) continue;
        const int64_t start = i / w * w, end = std::min(start + w, N);
        std::vector<std::pair<int64_t, double>> scores;  // (key, q.k / sqrt(E)) over the window's real keys
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t j = start; j < end; ++j) {
          if (!mask[b][j].item<bool>()) continue;
          scores.emplace_back(j, (qh[i] * kh[j]).sum().item<double>() / std::sqrt(static_cast<double>(E)));
          max = std::max(max, scores.back().second);
        }
        double sum = 0.0;
        for (const auto& s : scores) sum += std::exp(s.second - max);
        Tensor context = torch::zeros({E}, torch::kDouble);
        for (const auto& s : scores) context += std::exp(s.second - max) / sum * vh[s.first];
        merged[i].narrow(0, h * E, E).copy_(context);
      }
    }
    out[b] = naive_linear(merged, a.out_proj);
  }
  return out;
}

}  // namespace

TEST_CASE("local attention matches a naive per-window softmax", "[attention][local][parity]") {
  for (int64_t window : {1, 4, 5, 64}) {  // single tokens, partial last window, one window wider than N
    torch::manual_seed(41);
    lra::LocalAttention attention(lra::LocalAttentionOptions(32, 4).window(window));
    attention->eval();
    const auto input = random_attention_input({13, 6, 1}, 13, 32, 42);
    const auto out = attention->forward(input.x, input.mask);
    REQUIRE(torch::isfinite(out).all().item<bool>());
    const double maxdiff = max_diff_at_real(out, naive_local_attention(*attention, input.x, input.mask), input.mask);
    print_maxdiff("local vs naive per-window softmax (window " + std::to_string(window) + ")", maxdiff, 1e-5);
    CHECK(maxdiff <= 1e-5);
  }
}

TEST_CASE("local attention with a window covering the sequence is softmax attention", "[attention][local]") {
  torch::manual_seed(43);
  lra::LocalAttention local(lra::LocalAttentionOptions(32, 4).window(256));
  lra::SoftmaxAttention softmax(lra::SoftmaxAttentionOptions(32, 4));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : softmax->named_parameters()) p.value().copy_(local->named_parameters()[p.key()]);
  }
  local->eval();
  softmax->eval();
  const auto input = random_attention_input({10, 4}, 10, 32, 44);
  const double maxdiff = max_diff_at_real(local->forward(input.x, input.mask), softmax->forward(input.x, input.mask),
                                          input.mask);
  print_maxdiff("local (window >= N) vs SoftmaxAttention", maxdiff, 1e-5);
  CHECK(maxdiff <= 1e-5);
}
