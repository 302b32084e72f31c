// runtime.recompute_ffn: the FFN that recomputes its hidden activations in backward must give the
// same output and gradients as the stored one, with and without activation dropout, in every model.
#include "tests/model_fixtures.h"

#include <torch/torch.h>

#include "models/blocks/feed_forward.h"

using lra::test::make_test_batch;
using lra::test::max_abs_diff;
using lra::test::smoke_config;

namespace {

struct RecomputeSwitch {
  explicit RecomputeSwitch(bool on) : before(lra::recompute_ffn()) { lra::set_recompute_ffn(on); }
  ~RecomputeSwitch() { lra::set_recompute_ffn(before); }
  bool before;
};

}  // namespace

TEST_CASE("the recomputed FFN equals the stored FFN, forward and backward", "[models][ffn][recompute]") {
  for (double p : {0.0, 0.25}) {
    CAPTURE(p);
    auto run = [&](bool recompute) {
      RecomputeSwitch on(recompute);
      torch::manual_seed(4);
      lra::FeedForward ffn(12, 40, p);
      auto x = torch::randn({3, 5, 12}, torch::requires_grad());
      torch::manual_seed(9);  // the dropout seed
      auto y = ffn(x);
      (y * torch::linspace(-2, 2, y.numel()).view(y.sizes())).sum().backward();
      std::vector<torch::Tensor> out{y.detach(), x.grad()};
      for (const auto& param : ffn->parameters()) out.push_back(param.grad());
      return out;
    };
    const auto stored = run(false), recomputed = run(true);
    for (size_t i = 0; i < stored.size(); ++i) {
      CAPTURE(i);
      CHECK(max_abs_diff(stored[i], recomputed[i]) < 1e-5);
    }
  }
}

TEST_CASE("every model trains the same with runtime.recompute_ffn", "[models][ffn][recompute]") {
  for (const auto& entry : lra::model_registry()) {
    CAPTURE(entry.name);
    const auto config = smoke_config("listops", entry.name, {"model.dropout=0", "model.attention_dropout=0"});
    const auto batch = make_test_batch(lra::task_info_from_config(config), {8, 4}, 8, 3);
    auto grads_with = [&](bool recompute) {
      RecomputeSwitch on(recompute);
      torch::manual_seed(5);
      auto model = lra::build_model(config);
      model->eval();
      torch::nn::functional::cross_entropy(model->forward(batch), batch.labels).backward();
      std::vector<torch::Tensor> grads;
      for (const auto& p : model->parameters()) grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
      return grads;
    };
    const auto stored = grads_with(false), recomputed = grads_with(true);
    double worst = 0.0;
    for (size_t i = 0; i < stored.size(); ++i) worst = std::max(worst, max_abs_diff(stored[i], recomputed[i]));
    CHECK(worst < 1e-5);
  }
}
