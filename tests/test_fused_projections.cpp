// Fused projections (runtime.fused_projections): one GEMM against stacked, pre-scaled weights must
// compute what the separate Linear layers compute, forward and backward, in every registered model.
#include "tests/model_fixtures.h"

#include <torch/torch.h>

#include "models/attention/projections.h"

using lra::test::make_test_batch;
using lra::test::max_abs_diff;
using lra::test::smoke_config;

namespace {

// Restores the process-wide switch, whatever a test does.
struct FusionSwitch {
  explicit FusionSwitch(bool on) : before(lra::fused_projections()) { lra::set_fused_projections(on); }
  ~FusionSwitch() { lra::set_fused_projections(before); }
  bool before;
};

struct Outcome {
  std::vector<torch::Tensor> outputs;
  torch::Tensor x_grad;
  std::vector<torch::Tensor> weight_grads;
};

Outcome run_projections(bool fused, const std::vector<torch::nn::Linear>& linears, const torch::Tensor& x0) {
  FusionSwitch fusion(fused);
  for (auto l : linears) l->zero_grad();
  auto x = x0.clone().requires_grad_(true);
  Outcome out;
  out.outputs = lra::project(x, linears, {0.25, 1.0, 3.0});
  torch::Tensor loss = torch::zeros({});
  for (size_t i = 0; i < out.outputs.size(); ++i) loss = loss + (out.outputs[i] * double(i + 1)).sin().sum();
  loss.backward();
  out.x_grad = x.grad();
  for (const auto& l : linears) {
    out.weight_grads.push_back(l->weight.grad().clone());
    out.weight_grads.push_back(l->bias.grad().clone());
  }
  return out;
}

}  // namespace

TEST_CASE("fused projections equal the separate Linear layers, scaled, forward and backward",
          "[models][fusion]") {
  torch::manual_seed(5);
  std::vector<torch::nn::Linear> linears{torch::nn::Linear(12, 12), torch::nn::Linear(12, 12), torch::nn::Linear(12, 12)};
  const auto x = torch::randn({3, 7, 12});
  const auto fused = run_projections(true, linears, x);
  const auto separate = run_projections(false, linears, x);
  REQUIRE(fused.outputs.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(fused.outputs[i].sizes() == torch::IntArrayRef({3, 7, 12}));
    CHECK(max_abs_diff(fused.outputs[i], separate.outputs[i]) < 1e-5);
  }
  // Relative to the gradient's size: the fused GEMM sums the three projections' terms in another order
  // (1.1e-5 absolute on an AMD EPYC's OpenBLAS kernels); a wrong scale or slice would be off by O(1).
  const double x_grad_scale = std::max(1.0, separate.x_grad.abs().max().item<double>());
  CHECK(max_abs_diff(fused.x_grad, separate.x_grad) < 1e-5 * x_grad_scale);
  for (size_t i = 0; i < fused.weight_grads.size(); ++i)
    CHECK(max_abs_diff(fused.weight_grads[i], separate.weight_grads[i]) < 1e-4);
}

TEST_CASE("every model computes the same logits and gradients with and without fused projections",
          "[models][fusion]") {
  for (const auto& entry : lra::model_registry()) {
    for (const std::string task : {"listops", "retrieval"}) {
      CAPTURE(entry.name, task);
      const auto config = smoke_config(task, entry.name, {"model.dropout=0", "model.attention_dropout=0"});
      const auto info = lra::task_info_from_config(config);
      const auto batch = make_test_batch(info, {9, 5, 2}, 9, 11);
      auto logits_and_grads = [&](bool fused) {
        FusionSwitch fusion(fused);
        torch::manual_seed(3);
        auto model = lra::build_model(config);
        model->eval();  // no dropout; Performer does not redraw its features
        const auto logits = model->forward(batch);
        torch::nn::functional::cross_entropy(logits, batch.labels).backward();
        std::vector<torch::Tensor> grads;
        for (const auto& p : model->parameters()) grads.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
        return std::make_pair(logits.detach(), grads);
      };
      const auto [fused_logits, fused_grads] = logits_and_grads(true);
      const auto [plain_logits, plain_grads] = logits_and_grads(false);
      CHECK(max_abs_diff(fused_logits, plain_logits) < 1e-5);
      REQUIRE(fused_grads.size() == plain_grads.size());
      double worst = 0.0;
      for (size_t i = 0; i < fused_grads.size(); ++i) {
        REQUIRE(fused_grads[i].defined() == plain_grads[i].defined());
        if (fused_grads[i].defined()) worst = std::max(worst, max_abs_diff(fused_grads[i], plain_grads[i]));
      }
      CHECK(worst < 1e-5);
    }
  }
}
