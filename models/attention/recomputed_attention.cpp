#include "models/attention/recomputed_attention.h"

#include <torch/torch.h>

#include "models/attention/heads.h"
#include "models/dropout.h"
#include "models/softmax_dropout.h"

namespace lra {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// softmax_S(q k^T masked) in fp32, cast to v's dtype: (B,H,M,S)
torch::Tensor probabilities(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& keep,
                            c10::ScalarType dtype) {
  return torch::softmax(mask_keys(torch::matmul(q, k.transpose(-2, -1)), keep), -1, torch::kFloat).to(dtype);
}

class RecomputedAttention : public torch::autograd::Function<RecomputedAttention> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const torch::Tensor& keep, double p) {
    const SeededMask mask = save_seeded_mask(ctx, p);
    ctx->save_for_backward({q, k, v, keep});
    auto probs = probabilities(q, k, keep, v.scalar_type());
    if (p > 0.0) probs = dropout_with_seed(probs, p, mask.seed);
    return torch::matmul(probs, v);  // (B,H,M,E)
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2], &keep = saved[3];
    const auto [seed, p] = saved_seeded_mask(ctx);
    const auto& d_out = grads[0];                                  // (B,H,M,E)
    const auto probs = probabilities(q, k, keep, v.scalar_type());  // (B,H,M,S), recomputed
    const auto dropped = p > 0.0 ? dropout_with_seed(probs, p, seed) : probs;
    const auto d_v = torch::matmul(dropped.transpose(-2, -1), d_out);     // (B,H,S,E)
    auto d_probs = torch::matmul(d_out, v.transpose(-2, -1));             // (B,H,M,S)
    if (p > 0.0) d_probs = dropout_with_seed(d_probs, p, seed);           // same mask, same scale
    // softmax backward: dS = P * (dP - sum_S(dP * P))
    const auto d_scores = probs * (d_probs - (d_probs * probs).sum(-1, /*keepdim=*/true));
    const auto d_q = torch::matmul(d_scores, k);                          // (B,H,M,E)
    const auto d_k = torch::matmul(d_scores.transpose(-2, -1), q);        // (B,H,S,E)
    return {d_q, d_k, d_v, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor attention_recomputed(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   const torch::Tensor& keep, double dropout, bool training) {
  // autograd functions take no undefined tensors: "no mask" becomes an all-true one (B,S)
  const auto mask = keep.defined() ? keep : torch::ones({k.size(0), k.size(2)}, k.options().dtype(torch::kBool));
  return RecomputedAttention::apply(q, k, v, mask, training ? dropout : 0.0);
}

torch::Tensor attention_stored(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& keep, double dropout, bool training) {
  const auto scores = torch::matmul(q, k.transpose(-2, -1)).to(torch::kFloat);  // (B,H,M,S), fp32 softmax
  return torch::matmul(softmax_dropout(scores, keep, dropout, training).to(v.scalar_type()), v);
}

}  // namespace lra
