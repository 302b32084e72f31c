#pragma once
// Performer (Choromanski et al. 2021, "Rethinking Attention with Performers", arXiv 2009.14794):
// FAVOR+, softmax attention through positive orthogonal random features. With x^ = x / E^(1/4) and
// W (M,E) the random features,
//   phi(x^) = M^(-1/2) (exp(W x^ - |x^|^2 / 2 - c) + eps),  E[phi(q^) . phi(k^)] ~ exp(q.k / sqrt(E)),
//   out_i = phi(q_i)^T (sum_j phi(k_j) v_j^T) / phi(q_i)^T (sum_j phi(k_j)),
// O(N M E) instead of O(N^2 E). c is the paper implementation's stabiliser: the max of W x^ over the
// features of each query, and over the features and real tokens of all keys (it cancels in the
// ratio). Non-causal. The "performer" model is the generic pre-LN TransformerBlock around it.
// Legend: B batch, N tokens, D model, H heads, E = D/H, M random features (model.attention.features).
#include <nlohmann/json.hpp>

#include "models/attention/projections.h"
#include "models/blocks/transformer_block.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/model_config.h"

namespace lra {

struct PerformerOptions {
  PerformerOptions(int64_t d_model, int64_t heads) : d_model_(d_model), heads_(heads) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  /// rows of W, the random features per head (model.attention.features)
  TORCH_ARG(int64_t, features) = 256;
  /// redraw W every this many training forward calls; 0 = never (model.attention.redraw_interval)
  TORCH_ARG(int64_t, redraw_interval) = 1000;
};

// model.attention {features, redraw_interval} of a resolved model section; UserError on unknown keys
// or values < 1 (features) / < 0 (redraw_interval).
PerformerOptions performer_options(const ModelConfig& model);

// (M,E): blocks of E rows that are orthonormal (Q^T of the QR of a Gaussian (E,E) matrix), each row
// rescaled to the length of an independent Gaussian E-vector (the paper's "scaling 0"), so every row
// is marginally N(0, I_E). Drawn from torch's default CPU generator: deterministic under manual_seed.
torch::Tensor orthogonal_random_features(int64_t rows, int64_t dim);

class PerformerAttentionImpl : public SelfAttentionImpl {
 public:
  explicit PerformerAttentionImpl(const PerformerOptions& options);
  // x (B,N,D), mask (B,N) -> (B,N,D). Computed in fp32 (autocast off): exp overflows fp16. Keys at
  // padded positions get zero features and are left out of the key stabiliser, so pads never reach
  // real tokens. In training, redraws W first when redraw_interval calls have passed.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;
  void redraw_features();  // W <- orthogonal_random_features(M, E)

  PerformerOptions options;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
  torch::Tensor random_features;  // (M,E) buffer "random_features": W, shared by the heads
  torch::Tensor forward_calls;    // () int64 buffer "forward_calls": training calls since the last draw
};
TORCH_MODULE(PerformerAttention);

// phi of the formula above for x (B,H,N,E) fp32 and W (M,E) -> (B,H,N,M). Queries: c per token
// (`keep` ignored). Keys: c over the real tokens of each (batch, head), features zeroed at pads
// (`keep` (B,N) bool, may be undefined = all real).
torch::Tensor favor_features(const torch::Tensor& x, const torch::Tensor& features, bool is_query,
                             const torch::Tensor& keep);

// Registry factory of "performer" (model.attention keys: features, redraw_interval).
ClassifierModel build_performer(const nlohmann::json& config);
// Forward FLOPs of one attention sublayer for one example of n tokens.
double performer_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry: name, description, factory, FLOPs, parameter count.
ModelEntry performer_model();

}  // namespace lra
