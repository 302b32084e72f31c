// Attention with probabilities recomputed in backward (Luna's model.attention.recompute) must give the
// same outputs and gradients as the stored version, with and without dropout, and with masked keys.
#include "tests/model_fixtures.h"

#include <torch/torch.h>

#include "models/attention/recomputed_attention.h"
#include "models/fused_attention.h"

using lra::test::make_test_batch;
using lra::test::max_abs_diff;
using lra::test::smoke_config;

namespace {

struct Result {
  torch::Tensor out, dq, dk, dv;
};

template <typename Attention>
Result run(Attention attention, double p, bool with_mask) {
  torch::manual_seed(7);
  auto q = torch::randn({2, 3, 5, 4}).requires_grad_(true);   // (B,H,M,E)
  auto k = torch::randn({2, 3, 9, 4}).requires_grad_(true);   // (B,H,S,E)
  auto v = torch::randn({2, 3, 9, 4}).requires_grad_(true);
  const auto keep = with_mask ? torch::arange(9).unsqueeze(0) < torch::tensor({9, 4}).unsqueeze(1) : torch::Tensor();
  torch::manual_seed(8);  // the dropout seed is drawn from here by both versions
  auto out = attention(q, k, v, keep, p, /*training=*/true);
  (out * torch::linspace(-1, 1, out.numel()).view(out.sizes())).sum().backward();
  return {out.detach(), q.grad(), k.grad(), v.grad()};
}

}  // namespace

TEST_CASE("recomputed attention equals stored attention, forward and backward", "[models][attention][recompute]") {
  for (double p : {0.0, 0.3}) {
    for (bool with_mask : {false, true}) {
      CAPTURE(p, with_mask);
      const auto stored = run(lra::attention_stored, p, with_mask);
      const auto recomputed = run(lra::attention_recomputed, p, with_mask);
      CHECK(max_abs_diff(stored.out, recomputed.out) < 1e-6);
      CHECK(max_abs_diff(stored.dq, recomputed.dq) < 1e-5);
      CHECK(max_abs_diff(stored.dk, recomputed.dk) < 1e-5);
      CHECK(max_abs_diff(stored.dv, recomputed.dv) < 1e-5);
    }
  }
}

TEST_CASE("Luna with model.attention.recompute gives the same logits and gradients", "[models][luna][recompute]") {
  for (const std::string task : {"listops", "retrieval"}) {
    CAPTURE(task);
    auto run_model = [&](bool recompute) {
      lra::set_fused_attention(false);  // the fused kernel would serve both settings
      const auto config = smoke_config(task, "luna-16", {"model.attention.recompute=" + std::string(recompute ? "true" : "false"),
                                                         "model.dropout=0", "model.attention_dropout=0"});
      const auto batch = make_test_batch(lra::task_info_from_config(config), {7, 3}, 7, 4);
      torch::manual_seed(2);
      auto model = lra::build_model(config);
      const auto logits = model->forward(batch);
      torch::nn::functional::cross_entropy(logits, batch.labels).backward();
      std::vector<torch::Tensor> grads;
      for (const auto& p : model->parameters()) grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
      lra::set_fused_attention(true);
      return std::make_pair(logits.detach(), grads);
    };
    const auto [stored_logits, stored_grads] = run_model(false);
    const auto [recomputed_logits, recomputed_grads] = run_model(true);
    CHECK(max_abs_diff(stored_logits, recomputed_logits) < 1e-6);
    double worst = 0.0;
    for (size_t i = 0; i < stored_grads.size(); ++i) worst = std::max(worst, max_abs_diff(stored_grads[i], recomputed_grads[i]));
    CHECK(worst < 1e-5);
  }
}
