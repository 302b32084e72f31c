// Luna against the official code's math (fairseq-apollo 13e3e3d, luna_layer.py): a deliberately naive restatement of the block (loops over
// samples and heads, 2-D matrix products, hand-written softmax/LayerNorm/GELU, in double) must agree
// with LunaBlock; dynamic projection slices and masks P as the reference code does.
#include "model_fixtures.h"  // first: see there

#include <cmath>
#include <limits>

#include "models/attention/luna.h"
#include "models/state_dict.h"

using lra::test::make_test_batch;
using lra::test::max_abs_diff;
using lra::test::smoke_config;
using lra::test::with_extra_padding;
using torch::Tensor;

namespace {

// ---- the naive reference (double precision; x is (rows, D) for one sample) ----
Tensor dbl(const Tensor& t) { return t.detach().to(torch::kDouble); }

Tensor linear(const Tensor& x, const torch::nn::Linear& l) { return x.matmul(dbl(l->weight).t()) + dbl(l->bias); }

Tensor layer_norm(const Tensor& x, const lra::SequenceNorm& ln) {
  Tensor out = torch::empty_like(x);
  for (int64_t r = 0; r < x.size(0); ++r) {
    const auto row = x[r];
    const auto mean = row.mean();
    const auto var = ((row - mean) * (row - mean)).mean();  // biased, as LayerNorm
    out[r] = (row - mean) / torch::sqrt(var + 1e-5) * dbl(ln->weight) + dbl(ln->bias);
  }
  return out;
}

Tensor naive_gelu(const Tensor& x) { return 0.5 * x * (1.0 + torch::erf(x / std::sqrt(2.0))); }

// Row-wise softmax over the columns where `allowed` (C) is true; other columns get probability 0.
Tensor masked_softmax(const Tensor& scores, const Tensor& allowed) {
  Tensor out = torch::zeros_like(scores);
  for (int64_t i = 0; i < scores.size(0); ++i) {
    double max = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < scores.size(1); ++j)
      if (allowed[j].item<bool>()) max = std::max(max, scores[i][j].item<double>());
    double sum = 0.0;
    for (int64_t j = 0; j < scores.size(1); ++j)
      if (allowed[j].item<bool>()) sum += std::exp(scores[i][j].item<double>() - max);
    for (int64_t j = 0; j < scores.size(1); ++j)
      if (allowed[j].item<bool>()) out[i][j] = std::exp(scores[i][j].item<double>() - max) / sum;
  }
  return out;
}

// luna.md §1 for one sample: X (N,D), P (L,D), x_mask (N), p_mask (L) -> (X', P').
std::pair<Tensor, Tensor> naive_luna_block(lra::LunaBlockImpl& block, const Tensor& X, const Tensor& P,
                                           const Tensor& x_mask, const Tensor& p_mask) {
  auto& a = *block.attn;
  const bool tie = a.options.tie_kv(), pre = block.options.pre_norm();
  const int64_t D = a.options.d_model(), H = a.options.heads(), E = D / H;
  const Tensor Xin = pre ? layer_norm(X, block.attn_layer_norm) : X;
  const Tensor Pin = pre ? layer_norm(P, block.p_layer_norm) : P;
  // pack: P queries, X keys/values, softmax over n, no output projection
  const Tensor Qp = linear(Pin, a.pq_proj);
  const Tensor Kp = linear(Xin, tie ? a.pc_proj : a.pk_proj);
  const Tensor Vp = linear(Xin, tie ? a.pc_proj : a.pv_proj);
  std::vector<Tensor> cp_heads;
  for (int64_t h = 0; h < H; ++h) {
    const auto cols = torch::indexing::Slice(h * E, (h + 1) * E);
    const Tensor Ap = masked_softmax(Qp.index({torch::indexing::Slice(), cols})
                                             .matmul(Kp.index({torch::indexing::Slice(), cols}).t()) /
                                         std::sqrt(double(E)),
                                     x_mask);
    cp_heads.push_back(Ap.matmul(Vp.index({torch::indexing::Slice(), cols})));
  }
  const Tensor Cp = torch::cat(cp_heads, 1);  // (L,D)
  // unpack: X queries, Cp keys/values, softmax over l, output projection
  const Tensor Q = linear(Xin, a.q_proj);
  const Tensor K = linear(Cp, tie ? a.c_proj : a.k_proj);
  const Tensor V = linear(Cp, tie ? a.c_proj : a.v_proj);
  std::vector<Tensor> y_heads;
  for (int64_t h = 0; h < H; ++h) {
    const auto cols = torch::indexing::Slice(h * E, (h + 1) * E);
    const Tensor A = masked_softmax(Q.index({torch::indexing::Slice(), cols})
                                            .matmul(K.index({torch::indexing::Slice(), cols}).t()) /
                                        std::sqrt(double(E)),
                                    p_mask);
    y_heads.push_back(A.matmul(V.index({torch::indexing::Slice(), cols})));
  }
  const Tensor Y = linear(torch::cat(y_heads, 1), a.out_proj);
  auto ffn = [&](const Tensor& x) { return linear(naive_gelu(linear(x, block.ffn->fc1)), block.ffn->fc2); };
  if (pre) {
    const Tensor XA = X + Y;
    return {XA + ffn(layer_norm(XA, block.ffn_layer_norm)), P + Cp};
  }
  const Tensor XA = layer_norm(X + Y, block.attn_layer_norm);
  return {layer_norm(XA + ffn(XA), block.ffn_layer_norm), layer_norm(P + Cp, block.p_layer_norm)};
}

}  // namespace

TEST_CASE("a naive per-head restatement of luna.md's block agrees with LunaBlock", "[luna][parity]") {
  struct Case { bool tie_kv, pre_norm; };
  for (const auto c : {Case{false, false}, Case{true, false}, Case{false, true}}) {
    torch::manual_seed(7);
    const int64_t B = 3, N = 9, L = 6, D = 16, H = 4;
    lra::LunaBlock block(lra::LunaBlockOptions(lra::LunaOptions(D, H, L).tie_kv(c.tie_kv), /*ffn_dim=*/24)
                             .pre_norm(c.pre_norm));
    {  // every parameter random, so that swapped LayerNorms or projections cannot agree by accident
      torch::NoGradGuard no_grad;
      for (auto& p : block->parameters()) p.uniform_(-0.6, 0.6);
    }
    block->eval();
    lra::EncoderState state;
    state.x = torch::randn({B, N, D});
    state.x_mask = torch::arange(N).unsqueeze(0) < torch::tensor({9, 5, 2}).unsqueeze(1);  // (B,N)
    state.p = torch::randn({B, L, D});
    state.p_mask = torch::arange(L).unsqueeze(0) < torch::tensor({6, 5, 2}).unsqueeze(1);  // (B,L)
    const auto out = block->forward(state);
    double maxdiff = 0.0;
    for (int64_t b = 0; b < B; ++b) {
      const auto [x, p] = naive_luna_block(*block, dbl(state.x[b]), dbl(state.p[b]), state.x_mask[b], state.p_mask[b]);
      maxdiff = std::max({maxdiff, max_abs_diff(out.x[b], x), max_abs_diff(out.p[b], p)});
    }
    CAPTURE(c.tie_kv, c.pre_norm, maxdiff);
    WARN("luna block vs naive restatement (tie_kv=" << c.tie_kv << ", pre_norm=" << c.pre_norm
                                                    << "): maxdiff " << maxdiff << " (tolerance 1e-5)");
    CHECK(maxdiff <= 1e-5);
  }
}

TEST_CASE("untied Luna has 7 projections per block and tie_kv gives 5 (pq, pc, q, c, out)", "[luna]") {
  for (bool tie : {false, true}) {
    lra::LunaAttention attn(lra::LunaOptions(16, 4, 8).tie_kv(tie));
    std::vector<std::string> names;
    for (const auto& m : attn->named_children()) names.push_back(m.key());
    CHECK(names == (tie ? std::vector<std::string>{"pq_proj", "pc_proj", "q_proj", "c_proj", "out_proj"}
                        : std::vector<std::string>{"pq_proj", "pk_proj", "pv_proj", "q_proj", "k_proj", "v_proj",
                                                   "out_proj"}));
  }
}

TEST_CASE("dynamic projection slices P to the longest real sample and masks slots past each length", "[luna]") {
  const int64_t D = 8, N = 12;
  const auto x_mask = torch::arange(N).unsqueeze(0) < torch::tensor({5, 9, 3}).unsqueeze(1);  // width 12, max 9
  lra::EncoderState state;
  state.x = torch::zeros({3, N, D});
  state.x_mask = x_mask;
  for (int64_t l : {16, 4}) {  // l >= longest sample, l < longest sample
    CAPTURE(l);
    lra::LunaProjection projection(lra::LunaOptions(D, 2, l), /*layer_norm=*/true, /*dropout=*/0.5);
    projection->eval();
    const auto out = projection->forward(state);
    const int64_t used = std::min<int64_t>(l, 9);
    REQUIRE(out.p.sizes() == torch::IntArrayRef({3, used, D}));
    REQUIRE(out.p_mask.sizes() == torch::IntArrayRef({3, used}));
    const auto expected_p = projection->layer_norm(projection->projected_embeddings.narrow(0, 0, used));
    const int64_t lengths[] = {5, 9, 3};
    for (int64_t b = 0; b < 3; ++b) {
      for (int64_t j = 0; j < used; ++j) {
        CHECK(out.p_mask[b][j].item<bool>() == (j < lengths[b]));
        if (j < lengths[b]) CHECK(max_abs_diff(out.p[b][j], expected_p[j]) == 0.0);
        else CHECK(out.p[b][j].abs().max().item<double>() == 0.0);
      }
    }
  }
  lra::LunaProjection fixed(lra::LunaOptions(D, 2, 16).dynamic_projection(false), /*layer_norm=*/false, 0.0);
  const auto out = fixed->forward(state);
  CHECK(out.p.sizes() == torch::IntArrayRef({3, 16, D}));
  CHECK(!out.p_mask.defined());  // every slot usable
}

TEST_CASE("Luna with proj_len >= n equals the same Luna with P cut to the longest sample", "[luna]") {
  // l >= n: dynamic projection uses only P[:longest], so a model whose P has exactly that many rows
  // (same weights otherwise) must give identical logits.
  const auto config = smoke_config("text", "luna-128", {"model.layers=2"});
  const auto task = lra::task_info_from_config(config);
  auto big = lra::build_model(config);
  auto cut = lra::build_model(smoke_config("text", "luna-128", {"model.layers=2", "model.attention.proj_len=20"}));
  auto weights = lra::state_dict(*big);
  weights.insert_or_assign("encoder.extra_stream.projected_embeddings",
                           weights.at("encoder.extra_stream.projected_embeddings").narrow(0, 0, 20));
  lra::load_state_dict(*cut, weights);
  big->eval();
  cut->eval();
  const auto batch = make_test_batch(task, {20, 11, 4}, 24, 5);
  const double maxdiff = max_abs_diff(big->forward(batch), cut->forward(batch));
  CAPTURE(maxdiff);
  CHECK(maxdiff <= 1e-6);
}

TEST_CASE("Luna with proj_len < n gives finite, padding-invariant logits", "[luna]") {
  const auto config = smoke_config("text", "luna-16", {"model.attention.proj_len=4", "model.layers=2"});
  const auto task = lra::task_info_from_config(config);
  auto model = lra::build_model(config);
  model->eval();
  const auto batch = make_test_batch(task, {30, 17, 3}, 30, 6);
  const auto logits = model->forward(batch);
  CHECK(torch::isfinite(logits).all().item<bool>());
  const double maxdiff = max_abs_diff(logits, model->forward(with_extra_padding(batch, 40)));
  CAPTURE(maxdiff);
  CHECK(maxdiff <= 1e-5);
}
