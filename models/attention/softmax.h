#pragma once
// Standard multi-head softmax self-attention (Vaswani et al. 2017), and the "transformer" model: the
// generic TransformerBlock around it. O(N^2) time and memory: the baseline the other variants beat.
// Legend: B batch, N tokens, D model, H heads, E = D/H.
#include <nlohmann/json.hpp>
#include <torch/nn/modules/linear.h>

#include "models/blocks/transformer_block.h"
#include "models/model.h"
#include "models/registry.h"

namespace lra {

struct SoftmaxAttentionOptions {
  SoftmaxAttentionOptions(int64_t d_model, int64_t heads) : d_model_(d_model), heads_(heads) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  /// dropout on the attention probabilities
  TORCH_ARG(double, dropout) = 0.0;
};

class SoftmaxAttentionImpl : public SelfAttentionImpl {
 public:
  explicit SoftmaxAttentionImpl(const SoftmaxAttentionOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;  // (B,N,D)

  SoftmaxAttentionOptions options;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
};
TORCH_MODULE(SoftmaxAttention);

// Registry factory of "transformer" (model.attention takes no keys).
ClassifierModel build_transformer(const nlohmann::json& config);
// Forward FLOPs of one attention sublayer for one example of n tokens.
double softmax_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry: name, description, factory, FLOPs, parameter count.
ModelEntry transformer_model();

}  // namespace lra
