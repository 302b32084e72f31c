// Linear Transformer (non-causal, phi = elu + 1) against a naive statement of its formula: loops over
// samples, heads and token pairs in double, from the module's projections.
#include "tests/catch_torch.h"

#include <cmath>

#include "models/attention/linear_transformer.h"
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

double elu_plus_one(double x) { return x > 0.0 ? x + 1.0 : std::exp(x); }

// out_i = sum_j (phi(q_i) . phi(k_j)) v_j / (sum_j phi(q_i) . phi(k_j) + eps) over real j, then out_proj.
Tensor naive_linear_attention(lra::LinearAttentionImpl& a, const Tensor& x, const Tensor& mask) {
  const int64_t D = a.options.d_model(), H = a.options.heads(), E = D / H, N = x.size(1);
  Tensor out = torch::zeros({x.size(0), N, D}, torch::kDouble);
  for (int64_t b = 0; b < x.size(0); ++b) {
    const auto real = real_positions(mask, b);
    const Tensor xb = dbl(x[b]);
    const Tensor q = naive_linear(xb, a.q_proj), k = naive_linear(xb, a.k_proj), v = naive_linear(xb, a.v_proj);
    Tensor merged = torch::zeros({N, D}, torch::kDouble);
    for (int64_t h = 0; h < H; ++h) {
      const Tensor qh = head_slice(q, h, E), kh = head_slice(k, h, E), vh = head_slice(v, h, E);
      for (auto i : real) {
        Tensor numerator = torch::zeros({E}, torch::kDouble);
        double denominator = 0.0;
        for (auto j : real) {
          double kernel = 0.0;
          for (int64_t t = 0; t < E; ++t)
            kernel += elu_plus_one(qh[i][t].item<double>()) * elu_plus_one(kh[j][t].item<double>());
          numerator += kernel * vh[j];
          denominator += kernel;
        }
        merged[i].narrow(0, h * E, E).copy_(numerator / (denominator + a.options.eps()));
      }
    }
    out[b] = naive_linear(merged, a.out_proj);
  }
  return out;
}

}  // namespace

TEST_CASE("linear transformer matches a naive statement of elu+1 kernel attention",
          "[attention][linear-transformer][parity]") {
  torch::manual_seed(31);
  lra::LinearAttention attention(lra::LinearAttentionOptions(32, 4));
  attention->eval();
  const auto input = random_attention_input({12, 5, 1}, 12, 32, 32);
  const auto out = attention->forward(input.x, input.mask);
  const double maxdiff = max_diff_at_real(out, naive_linear_attention(*attention, input.x, input.mask), input.mask);
  print_maxdiff("linear-transformer vs naive elu+1 kernel attention", maxdiff, 1e-5);
  CHECK(maxdiff <= 1e-5);
}
