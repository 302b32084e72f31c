#pragma once
// Local attention (the LRA paper's "Local Attention" baseline, Tay et al. 2021): exact softmax
// attention inside non-overlapping windows of w tokens; token i attends to the real tokens of window
// floor(i / w) only. O(N w E) instead of O(N^2 E); the sequence is padded to a multiple of w and
// reshaped into windows, so no (N,N) tensor exists. A batch narrower than w uses one window of its
// width (the same keys). The "local" model is the generic pre-LN TransformerBlock around it.
// Legend: B batch, N tokens, P = N padded to a multiple of w, W = P / w windows, D model, H heads,
// E = D/H.
#include <nlohmann/json.hpp>

#include "models/attention/projections.h"
#include "models/blocks/transformer_block.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/model_config.h"

namespace lra {

struct LocalAttentionOptions {
  LocalAttentionOptions(int64_t d_model, int64_t heads) : d_model_(d_model), heads_(heads) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  /// tokens per window (model.attention.window)
  TORCH_ARG(int64_t, window) = 256;
  /// dropout on the attention probabilities
  TORCH_ARG(double, dropout) = 0.0;
};

// model.attention {window} plus model.attention_dropout; UserError on unknown keys or window < 1.
LocalAttentionOptions local_attention_options(const ModelConfig& model);

class LocalAttentionImpl : public SelfAttentionImpl {
 public:
  explicit LocalAttentionImpl(const LocalAttentionOptions& options);
  // x (B,N,D), mask (B,N) -> (B,N,D). Padded keys are masked out of every window; a window holding
  // no real token (pads only) attends uniformly over itself, so its rows stay finite.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;

  LocalAttentionOptions options;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
};
TORCH_MODULE(LocalAttention);

// Registry factory of "local" (model.attention keys: window).
ClassifierModel build_local(const nlohmann::json& config);
// Forward FLOPs of one attention sublayer for one example of n tokens.
double local_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry: name, description, factory, FLOPs, parameter count.
ModelEntry local_model();

}  // namespace lra
