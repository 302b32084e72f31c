#pragma once
// Linear Transformer (Katharopoulos et al. 2020, "Transformers are RNNs", arXiv 2006.16236),
// non-causal: the softmax kernel replaced by phi(q) . phi(k) with phi(x) = elu(x) + 1, so
//   out_i = phi(q_i)^T (sum_j phi(k_j) v_j^T) / (phi(q_i)^T sum_j phi(k_j) + eps),
// O(N E^2) instead of O(N^2 E). The "linear-transformer" model is the generic pre-LN TransformerBlock
// around it. Legend: B batch, N tokens, D model, H heads, E = D/H.
#include <nlohmann/json.hpp>

#include "models/attention/projections.h"
#include "models/blocks/transformer_block.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/model_config.h"

namespace lra {

struct LinearAttentionOptions {
  LinearAttentionOptions(int64_t d_model, int64_t heads) : d_model_(d_model), heads_(heads) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  /// added to the normaliser (the authors' code uses 1e-6)
  TORCH_ARG(double, eps) = 1e-6;
};

class LinearAttentionImpl : public SelfAttentionImpl {
 public:
  explicit LinearAttentionImpl(const LinearAttentionOptions& options);
  // x (B,N,D), mask (B,N) -> (B,N,D). phi(k) is zeroed at padded positions, so pads drop out of both
  // sums.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;

  LinearAttentionOptions options;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
};
TORCH_MODULE(LinearAttention);

// Registry factory of "linear-transformer" (model.attention takes no keys).
ClassifierModel build_linear_transformer(const nlohmann::json& config);
// Forward FLOPs of one attention sublayer for one example of n tokens.
double linear_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry: name, description, factory, FLOPs, parameter count.
ModelEntry linear_transformer_model();

}  // namespace lra
