#include "models/blocks/feed_forward.h"

#include <torch/torch.h>

#include "core/autocast.h"
#include "models/gelu_dropout.h"

namespace lra {
namespace {

bool& recompute_flag() {
  static bool on = false;
  return on;
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// fc2(dropout(gelu(fc1(x)))) keeping only x and the weights for backward: the (B,N,F) hidden
// activations (4x the block's width, the largest tensors of a linear-attention block) are recomputed.
class RecomputedFeedForward : public torch::autograd::Function<RecomputedFeedForward> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w1,
                               const torch::Tensor& b1, const torch::Tensor& w2, const torch::Tensor& b2, double p) {
    const SeededMask mask = save_seeded_mask(ctx, p);
    ctx->save_for_backward({x, w1, b1, w2});
    return torch::linear(hidden(x, w1, b1, p, mask.seed), w2, b2);  // (B,N,D)
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &w1 = saved[1], &b1 = saved[2], &w2 = saved[3];
    const auto [seed, p] = saved_seeded_mask(ctx);
    const auto d = x.size(-1);
    const auto x2 = x.reshape({-1, d});                       // (T,D), T = B*N
    const auto pre = torch::addmm(b1, x2, w1.t());            // (T,F) recomputed
    const auto act = gelu_dropout_with_seed(pre, p, seed);    // (T,F)
    const auto dy = grads[0].reshape({-1, d});                // (T,D)
    const auto d_w2 = dy.t().mm(act);                         // (D,F)
    const auto d_b2 = dy.sum(0);
    const auto d_pre = gelu_dropout_backward(dy.mm(w2), pre, p, seed);  // (T,F)
    const auto d_w1 = d_pre.t().mm(x2);                       // (F,D)
    const auto d_b1 = d_pre.sum(0);
    const auto d_x = d_pre.mm(w1).view(x.sizes());            // (B,N,D)
    return {d_x, d_w1, d_b1, d_w2, d_b2, torch::Tensor()};
  }

 private:
  static torch::Tensor hidden(const torch::Tensor& x, const torch::Tensor& w1, const torch::Tensor& b1, double p,
                              int64_t seed) {
    return gelu_dropout_with_seed(torch::linear(x, w1, b1), p, static_cast<uint64_t>(seed));  // (B,N,F)
  }
};

}  // namespace

void set_recompute_ffn(bool on) { recompute_flag() = on; }
bool recompute_ffn() { return recompute_flag(); }

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  const double p = is_training() ? act_dropout_ : 0.0;
  // Recompute in fp32 on CPU only; under autocast the stored path below keeps autocast's casts.
  if (recompute_flag() && x.device().is_cpu() && x.scalar_type() == torch::kFloat && !autocast::enabled(at::kCPU))
    return RecomputedFeedForward::apply(x, fc1->weight, fc1->bias, fc2->weight, fc2->bias, p);
  return fc2(gelu_dropout(fc1(x), act_dropout_, is_training()));  // (B,N,F) hidden -> (B,N,D)
}

}  // namespace lra
