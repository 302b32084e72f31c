// Nystromformer against a naive statement of the paper's equations, per sample and head in double
// from the module's projections and convolution: segment-mean landmarks of the real tokens, the
// three softmax kernels, the iterative pseudo-inverse, and the depthwise convolution skip on V.
#include "tests/catch_torch.h"

#include <cmath>
#include <limits>

#include <ATen/ATen.h>

#include "models/attention/nystromformer.h"
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

// softmax over the columns of `scores` (rows,C) listed in `columns`; others 0.
Tensor softmax_over(const Tensor& scores, const std::vector<int64_t>& columns) {
  Tensor out = torch::zeros_like(scores);
  for (int64_t i = 0; i < scores.size(0); ++i) {
    double max = -std::numeric_limits<double>::infinity(), sum = 0.0;
    for (auto j : columns) max = std::max(max, scores[i][j].item<double>());
    for (auto j : columns) sum += std::exp(scores[i][j].item<double>() - max);
    for (auto j : columns) out[i][j] = std::exp(scores[i][j].item<double>() - max) / sum;
  }
  return out;
}

// The paper's iteration: Z0 = A^T / (|A|_1 |A|_inf), Z <- Z (13I - AZ (15I - AZ (7I - AZ))) / 4.
Tensor naive_pinv(const Tensor& a, int iterations) {
  const int64_t m = a.size(0);
  double norm_1 = 0.0, norm_inf = 0.0;
  for (int64_t j = 0; j < m; ++j) norm_1 = std::max(norm_1, a.select(1, j).abs().sum().item<double>());
  for (int64_t i = 0; i < m; ++i) norm_inf = std::max(norm_inf, a[i].abs().sum().item<double>());
  const Tensor eye = torch::eye(m, torch::kDouble);
  Tensor z = a.t() / (norm_1 * norm_inf);
  for (int it = 0; it < iterations; ++it) {
    const Tensor az = a.mm(z);
    z = 0.25 * z.mm(13 * eye - az.mm(15 * eye - az.mm(7 * eye - az)));
  }
  return z;
}

Tensor naive_nystrom(lra::NystromAttentionImpl& a, const Tensor& x, const Tensor& mask) {
  const int64_t D = a.options.d_model(), H = a.options.heads(), E = D / H, N = x.size(1), m = a.options.landmarks();
  const double scale = std::pow(static_cast<double>(E), -0.25);
  Tensor out = torch::zeros({x.size(0), N, D}, torch::kDouble);
  for (int64_t b = 0; b < x.size(0); ++b) {
    const auto real = real_positions(mask, b);
    const auto L = static_cast<int64_t>(real.size());
    const Tensor xb = dbl(x[b]);
    const Tensor q = naive_linear(xb, a.q_proj) * scale, k = naive_linear(xb, a.k_proj) * scale;
    const Tensor v = naive_linear(xb, a.v_proj);
    Tensor merged = torch::zeros({N, D}, torch::kDouble);
    for (int64_t h = 0; h < H; ++h) {
      const Tensor qh = head_slice(q, h, E), kh = head_slice(k, h, E), vh = head_slice(v, h, E);
      Tensor q_landmarks = torch::zeros({m, E}, torch::kDouble), k_landmarks = torch::zeros({m, E}, torch::kDouble);
      std::vector<int64_t> members(m, 0), landmarks;
      for (int64_t r = 0; r < L; ++r) {  // the r-th real token belongs to segment floor(r m / L)
        const int64_t s = r * m / L;
        q_landmarks[s] += qh[real[r]];
        k_landmarks[s] += kh[real[r]];
        ++members[s];
      }
      for (int64_t s = 0; s < m; ++s)
        if (members[s] > 0) {
          q_landmarks[s] /= static_cast<double>(members[s]);
          k_landmarks[s] /= static_cast<double>(members[s]);
          landmarks.push_back(s);
        }
      const Tensor f = softmax_over(qh.mm(k_landmarks.t()), landmarks);                  // (N,m)
      Tensor a_tilde = softmax_over(q_landmarks.mm(k_landmarks.t()), landmarks);         // (m,m)
      Tensor b_tilde = softmax_over(q_landmarks.mm(kh.t()), real);                       // (m,N)
      for (int64_t s = 0; s < m; ++s) {
        if (members[s] > 0) continue;
        a_tilde[s].zero_();  // empty segment: no row in A~ (and none needed in B~)
        b_tilde[s].zero_();
      }
      const Tensor attention = f.mm(naive_pinv(a_tilde, 6)).mm(b_tilde.mm(vh));        // (N,E)
      Tensor conv = torch::zeros({N, E}, torch::kDouble);
      if (a.conv) {  // out_i += sum_t w_t V_{i + t - kernel/2}, V zeroed at pads and outside [0, N)
        const Tensor w = dbl(a.conv->weight);                                             // (H,1,kernel,1)
        const int64_t kernel = w.size(2);
        for (int64_t i = 0; i < N; ++i)
          for (int64_t t = 0; t < kernel; ++t) {
            const int64_t j = i + t - kernel / 2;
            if (j >= 0 && j < N && mask[b][j].item<bool>()) conv[i] += w[h][0][t][0] * vh[j];
          }
      }
      merged.narrow(1, h * E, E).copy_(attention + conv);
    }
    out[b] = naive_linear(merged, a.out_proj);
  }
  return out;
}

}  // namespace

TEST_CASE("nystromformer matches a naive statement of the paper's equations", "[attention][nystromformer][parity]") {
  // 4 landmarks over 13, 6 and 3 real tokens: uneven segments, and one empty segment.
  for (int64_t conv_kernel : {0, 5}) {
    torch::manual_seed(51);
    lra::NystromAttention attention(lra::NystromOptions(32, 4).landmarks(4).conv_kernel(conv_kernel));
    attention->eval();
    const auto input = random_attention_input({13, 6, 3}, 13, 32, 52);
    const auto out = attention->forward(input.x, input.mask);
    const double maxdiff = max_diff_at_real(out, naive_nystrom(*attention, input.x, input.mask), input.mask);
    print_maxdiff("nystromformer vs naive equations (conv_kernel " + std::to_string(conv_kernel) + ")", maxdiff, 1e-5);
    CHECK(maxdiff <= 1e-5);
  }
}

TEST_CASE("segment means split the real tokens into landmarks of floor or ceil(L/m) tokens",
          "[attention][nystromformer]") {
  const auto mask = torch::arange(12).unsqueeze(0) < torch::tensor({10, 3}).unsqueeze(1);  // L = 10, 3
  const auto landmarks = lra::segment_means(mask, 4, torch::kFloat);
  // L = 10: floor(4 r / 10) = 0,0,0,1,1,2,2,2,3,3 -> sizes 3,2,3,2. L = 3: sizes 1,1,1,0.
  const auto sizes = (landmarks.weights > 0).sum(-1);
  CHECK(torch::equal(sizes, torch::tensor({3, 2, 3, 2, 1, 1, 1, 0}, torch::kLong).view({2, 4})));
  CHECK(torch::equal(landmarks.keep, torch::tensor({true, true, true, true, true, true, true, false}).view({2, 4})));
  CHECK(landmarks.weights[0][0][2].item<float>() == Approx(1.0 / 3.0));
  CHECK(landmarks.weights[0][1][3].item<float>() == Approx(0.5));
  CHECK(landmarks.weights.narrow(2, 10, 2).abs().sum().item<float>() == 0.0f);  // pads weigh nothing
}

TEST_CASE("the iterative pseudo-inverse approaches the exact one on a softmax matrix",
          "[attention][nystromformer]") {
  torch::manual_seed(53);
  const auto a = torch::softmax(torch::randn({2, 8, 8}, torch::kDouble), -1);
  const double maxdiff = (lra::iterative_pinv(a, 20) - at::linalg_pinv(a)).abs().max().item<double>();
  print_maxdiff("iterative_pinv (20 steps) vs linalg_pinv, 8x8 softmax matrices", maxdiff, 1e-8);
  CHECK(maxdiff <= 1e-8);
}

TEST_CASE("with a landmark per real token and no convolution, nystromformer is softmax attention",
          "[attention][nystromformer]") {
  torch::manual_seed(54);
  lra::NystromAttention attention(lra::NystromOptions(16, 2).landmarks(8).conv_kernel(0).pinv_iterations(30));
  attention->eval();
  const auto input = random_attention_input({8, 5}, 8, 16, 55, /*scale=*/2.0);
  const auto x = input.x;
  Tensor exact = torch::zeros({2, 8, 16}, torch::kDouble);
  for (int64_t b = 0; b < 2; ++b) {
    const Tensor xb = dbl(x[b]);
    const Tensor q = naive_linear(xb, attention->q_proj), k = naive_linear(xb, attention->k_proj);
    const Tensor v = naive_linear(xb, attention->v_proj);
    Tensor merged = torch::zeros({8, 16}, torch::kDouble);
    for (int64_t h = 0; h < 2; ++h) {
      const Tensor scores = head_slice(q, h, 8).mm(head_slice(k, h, 8).t()) / std::sqrt(8.0);
      merged.narrow(1, h * 8, 8).copy_(softmax_over(scores, real_positions(input.mask, b)).mm(head_slice(v, h, 8)));
    }
    exact[b] = naive_linear(merged, attention->out_proj);
  }
  const double maxdiff = max_diff_at_real(attention->forward(x, input.mask), exact, input.mask);
  print_maxdiff("nystromformer (m >= L, 30 pinv steps) vs exact softmax attention", maxdiff, 1e-3);
  CHECK(maxdiff <= 1e-3);
}
