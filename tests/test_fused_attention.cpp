// The fused attention kernel (models/fused_attention.h) against the unfused ops it replaces
// (matmul -> softmax_dropout -> matmul, attention_stored): outputs and the gradients of q, k and v,
// with and without dropout (the same seed must give the same mask), masked keys, a sample whose keys
// are all masked, strided (split_heads) inputs, several query blocks per head, and whole models.
#include "tests/model_fixtures.h"

#include <torch/torch.h>

#include "models/attention/dot_product_attention.h"
#include "models/attention/recomputed_attention.h"
#include "models/cpu_gemm.h"
#include "models/fused_attention.h"

using lra::test::make_test_batch;
using lra::test::max_abs_diff;
using lra::test::smoke_config;

namespace {

// Sets runtime.fused_attention for a scope.
struct FusedAttentionSwitch {
  bool before = lra::fused_attention_enabled();
  explicit FusedAttentionSwitch(bool on) { lra::set_fused_attention(on); }
  ~FusedAttentionSwitch() { lra::set_fused_attention(before); }
};

struct Shape {
  int64_t b, h, m, s, e;
};

struct Result {
  torch::Tensor out, dq, dk, dv;
};

// q, k, v as split_heads views of (B,*,H*E) tensors; keep (B,S) with sample b keeping its first
// lengths[b] keys (0: none).
template <typename Attention>
Result run(const Attention& attention, const Shape& x, const std::vector<int64_t>& lengths, double p, bool training) {
  torch::manual_seed(7);
  auto heads = [&](int64_t n) { return torch::randn({x.b, n, x.h * x.e}).view({x.b, n, x.h, x.e}).transpose(1, 2); };
  auto q = heads(x.m).requires_grad_(true), k = heads(x.s).requires_grad_(true), v = heads(x.s).requires_grad_(true);
  torch::Tensor keep;
  if (!lengths.empty()) keep = torch::arange(x.s).unsqueeze(0) < torch::tensor(lengths).unsqueeze(1);
  torch::manual_seed(8);  // the dropout seed is drawn from here by both versions
  auto out = attention(q, k, v, keep, p, training);
  (out * torch::linspace(-1, 1, out.numel()).view(out.sizes())).sum().backward();
  return {out.detach(), q.grad(), k.grad(), v.grad()};
}

void check_close(const Result& a, const Result& b) {
  CHECK(max_abs_diff(a.out, b.out) < 1e-5);
  CHECK(max_abs_diff(a.dq, b.dq) < 1e-5);
  CHECK(max_abs_diff(a.dk, b.dk) < 1e-5);
  CHECK(max_abs_diff(a.dv, b.dv) < 1e-5);
}

}  // namespace

TEST_CASE("fused attention equals the unfused ops, forward and backward", "[models][attention][fused]") {
  if (!lra::cpu_gemm_available())
    FAIL("this build has no cblas, so the fused CPU kernels are not built: run scripts/setup.sh (installs "
         "libopenblas-dev) and rebuild");
  // The last shape has 1100 keys: 128 queries per block, so 3 blocks per head accumulate dk and dv.
  for (const Shape x : {Shape{2, 3, 5, 9, 4}, Shape{3, 2, 17, 6, 8}, Shape{1, 2, 300, 1100, 8}}) {
    for (double p : {0.0, 0.3}) {
      for (bool masked : {false, true}) {
        CAPTURE(x.m, x.s, p, masked);
        std::vector<int64_t> lengths;
        if (masked) {
          for (int64_t b = 0; b < x.b; ++b) lengths.push_back(std::max<int64_t>(1, x.s - 3 * b));
        }
        const auto reference = run(lra::attention_stored, x, lengths, p, true);
        const auto fused = run(lra::fused_attention, x, lengths, p, true);
        check_close(reference, fused);
        CHECK(fused.out.is_contiguous() == false);                       // (B,H,M,E) view of (B,M,H,E)
        CHECK(fused.out.transpose(1, 2).is_contiguous());                // so merge_heads is a view
      }
    }
  }
}

TEST_CASE("fused attention: masked keys, all-masked samples, evaluation", "[models][attention][fused]") {
  if (!lra::cpu_gemm_available())
    FAIL("this build has no cblas, so the fused CPU kernels are not built: run scripts/setup.sh (installs "
         "libopenblas-dev) and rebuild");
  const Shape x{3, 2, 6, 7, 4};
  SECTION("a sample with every key masked gets zero output and zero gradients, no NaN") {
    const auto fused = run(lra::fused_attention, x, {7, 0, 3}, 0.0, true);
    CHECK(fused.out.select(0, 1).abs().max().item<float>() == 0.0f);
    CHECK(fused.dq.select(0, 1).abs().max().item<float>() == 0.0f);
    CHECK_FALSE(fused.out.isnan().any().item<bool>());
    check_close(run(lra::attention_stored, x, {7, 0, 3}, 0.0, true), fused);
  }
  SECTION("masked keys get no gradient") {
    const auto fused = run(lra::fused_attention, x, {7, 2, 3}, 0.3, true);
    CHECK(fused.dk.select(0, 1).narrow(1, 2, 5).abs().max().item<float>() == 0.0f);
    CHECK(fused.dv.select(0, 2).narrow(1, 3, 4).abs().max().item<float>() == 0.0f);
  }
  SECTION("training = false applies no dropout") {
    check_close(run(lra::fused_attention, x, {7, 2, 3}, 0.0, true), run(lra::fused_attention, x, {7, 2, 3}, 0.5, false));
  }
  SECTION("dropout changes the output (the mask is applied)") {
    CHECK(max_abs_diff(run(lra::fused_attention, x, {}, 0.0, true).out, run(lra::fused_attention, x, {}, 0.5, true).out) > 1e-3);
  }
}

TEST_CASE("dot_product_attention picks the fused kernel only where it applies", "[models][attention][fused]") {
  if (!lra::cpu_gemm_available())
    FAIL("this build has no cblas, so the fused CPU kernels are not built: run scripts/setup.sh (installs "
         "libopenblas-dev) and rebuild");
  const auto q = torch::randn({1, 1, 2, 4});
  {
    FusedAttentionSwitch on(true);
    CHECK(lra::fused_attention_applies(q, q, q));
    CHECK_FALSE(lra::fused_attention_applies(q.to(torch::kDouble), q, q));
    CHECK_FALSE(lra::fused_attention_applies(q.to(torch::kBFloat16), q, q));
  }
  FusedAttentionSwitch off(false);
  CHECK_FALSE(lra::fused_attention_applies(q, q, q));
}

TEST_CASE("models give the same logits and gradients with fused attention on and off", "[models][attention][fused]") {
  for (const std::string model_name : {"transformer", "luna-16", "luna-256", "linformer", "local"}) {
    for (const std::string task : {"listops", "retrieval"}) {
      CAPTURE(model_name, task);
      auto run_model = [&](bool fused) {
        FusedAttentionSwitch fusion(fused);
        const auto config = smoke_config(task, model_name, {"model.dropout=0.1", "model.attention_dropout=0.2"});
        const auto batch = make_test_batch(lra::task_info_from_config(config), {7, 3, 5}, 7, 4);
        torch::manual_seed(2);
        auto model = lra::build_model(config);
        torch::manual_seed(3);  // dropout seeds
        const auto logits = model->forward(batch);
        torch::nn::functional::cross_entropy(logits, batch.labels).backward();
        std::vector<torch::Tensor> grads;
        for (const auto& p : model->parameters())
          grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
        return std::make_pair(logits.detach(), grads);
      };
      const auto [unfused_logits, unfused_grads] = run_model(false);
      const auto [fused_logits, fused_grads] = run_model(true);
      CHECK(max_abs_diff(unfused_logits, fused_logits) < 1e-5);
      double worst = 0.0;
      for (size_t i = 0; i < unfused_grads.size(); ++i)
        worst = std::max(worst, max_abs_diff(unfused_grads[i], fused_grads[i]));
      CHECK(worst < 1e-4);
    }
  }
}
