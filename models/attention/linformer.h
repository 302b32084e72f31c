#pragma once
// Linformer (Wang et al. 2020, arXiv 2006.04768): keys and values are projected along the sequence
// from N rows to K rows by learned E, F (K x max_len, one pair per layer, shared across heads), so
// attention costs O(N K) instead of O(N^2). The "linformer" model is the generic TransformerBlock
// around it. This file is the worked example of adding a variant (docs/models.md).
// Legend: B batch, N tokens, M max_len, K projected length (model.attention.k), D model, H heads, E = D/H.
#include <nlohmann/json.hpp>
#include <torch/nn/modules/linear.h>

#include "models/blocks/transformer_block.h"
#include "models/model.h"
#include "models/registry.h"

namespace lra {

struct LinformerOptions {
  LinformerOptions(int64_t d_model, int64_t heads, int64_t max_len)
      : d_model_(d_model), heads_(heads), max_len_(max_len) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  TORCH_ARG(int64_t, max_len);  /// columns of E and F: the longest sequence accepted
  /// rows of E and F (model.attention.k)
  TORCH_ARG(int64_t, k) = 256;
  /// dropout on the attention probabilities
  TORCH_ARG(double, dropout) = 0.0;
};

class LinformerAttentionImpl : public SelfAttentionImpl {
 public:
  explicit LinformerAttentionImpl(const LinformerOptions& options);
  // x (B,N,D) with N <= max_len, mask (B,N) -> (B,N,D). K and V are zeroed at padded positions before
  // the projection along N, and a batch of width N uses the first N columns of E and F, so pads never
  // leak into real tokens.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;

  LinformerOptions options;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
  torch::Tensor E;  // (K,M) projects keys:   "E"
  torch::Tensor F;  // (K,M) projects values: "F"
};
TORCH_MODULE(LinformerAttention);

// Registry factory of "linformer" (model.attention keys: k).
ClassifierModel build_linformer(const nlohmann::json& config);
// Forward FLOPs of one attention sublayer for one example of n tokens.
double linformer_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry: name, description, factory, FLOPs, parameter count.
ModelEntry linformer_model();

}  // namespace lra
