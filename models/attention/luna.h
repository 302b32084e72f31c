#pragma once
// Luna: Linear Unified Nested Attention (Ma et al. 2021, arXiv 2106.01540), bidirectional as used for
// LRA, following the official code (XuezheMax/fairseq-apollo at 13e3e3d, fairseq/modules/luna_layer.py and
// luna_sentence_encoder.py; docs/models.md lists where it differs from a casual reading of the paper):
//   pack   Cp = softmax_n((P Wpq)(X Wpk)^T / sqrt(E)) (X Wpv)     padded X masked, NO output projection
//   unpack Y  = softmax_l((X Wq)(Cp Wk)^T / sqrt(E)) (Cp Wv) Wo   masked P slots masked
//   block  X' = LN_ffn(X_A + FFN(X_A)), X_A = LN_attn(X + Y), P' = LN_p(P + Cp)   (post-LN; P has no FFN)
// The learned P (LunaProjection) is the encoder's extra stream, sliced and masked per batch (dynamic
// projection). No (N,N) tensor is ever built: the largest score tensors are (B,H,L,N) and (B,H,N,L).
// Legend: B batch, N tokens, L projection length used by the batch, Lmax proj_len, D model, H heads, E = D/H.
#include <nlohmann/json.hpp>
#include <torch/nn/modules/linear.h>

#include "models/blocks/feed_forward.h"
#include "models/encoder.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/model_config.h"

namespace lra {

struct LunaOptions {
  LunaOptions(int64_t d_model, int64_t heads, int64_t proj_len)
      : d_model_(d_model), heads_(heads), proj_len_(proj_len) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);     /// heads of both pack and unpack
  TORCH_ARG(int64_t, proj_len);  /// rows of P (model.attention.proj_len)
  /// one K/V projection per side (pc_proj, c_proj: 5 projections) instead of 7 (model.attention.tie_kv)
  TORCH_ARG(bool, tie_kv) = false;
  /// use P[:min(proj_len, longest real sample)] and mask slot j >= len_b (model.attention.dynamic_projection)
  TORCH_ARG(bool, dynamic_projection) = true;
  /// recompute the pack/unpack probabilities in backward instead of storing them
  /// (model.attention.recompute; models/attention/recomputed_attention.h)
  TORCH_ARG(bool, recompute) = false;
  /// dropout on both attention probability matrices (model.attention_dropout)
  TORCH_ARG(double, attention_dropout) = 0.0;
};

struct LunaAttentionOut {
  torch::Tensor y;   // (B,N,D) unpacked output (after out_proj)
  torch::Tensor cp;  // (B,L,D) packed context (no output projection)
};

// Pack + unpack (LunarMultiheadAttention).
class LunaAttentionImpl : public torch::nn::Module {
 public:
  explicit LunaAttentionImpl(const LunaOptions& options);
  // x (B,N,D) (query and context), x_mask (B,N) bool, p (B,L,D), p_mask (B,L) bool or undefined.
  LunaAttentionOut forward(const torch::Tensor& x, const torch::Tensor& x_mask, const torch::Tensor& p,
                           const torch::Tensor& p_mask);

  LunaOptions options;
  torch::nn::Linear pq_proj{nullptr};  // pack query from P
  torch::nn::Linear pk_proj{nullptr}, pv_proj{nullptr};  // pack key/value from X (untied)
  torch::nn::Linear pc_proj{nullptr};                    // pack key = value from X (tie_kv)
  torch::nn::Linear q_proj{nullptr};                     // unpack query from X
  torch::nn::Linear k_proj{nullptr}, v_proj{nullptr};    // unpack key/value from Cp (untied)
  torch::nn::Linear c_proj{nullptr};                     // unpack key = value from Cp (tie_kv)
  torch::nn::Linear out_proj{nullptr};                   // unpack output
};
TORCH_MODULE(LunaAttention);

struct LunaBlockOptions {
  LunaBlockOptions(LunaOptions attention, int64_t ffn_dim) : attention_(attention), ffn_dim_(ffn_dim) {}
  TORCH_ARG(LunaOptions, attention);
  TORCH_ARG(int64_t, ffn_dim);
  /// residual dropout on Y, Cp and the FFN output
  TORCH_ARG(double, dropout) = 0.1;
  /// dropout after the FFN's GELU
  TORCH_ARG(double, act_dropout) = 0.0;
  /// pre-LN (the LNs before the sub-blocks); LRA uses post-LN
  TORCH_ARG(bool, pre_norm) = false;
  /// layernorm | scalenorm | batchnorm
  TORCH_ARG(std::string, norm_type) = "layernorm";
};

// One Luna layer (LunaSentenceEncoderLayer): (X, P) -> (X', P').
class LunaBlockImpl : public EncoderBlockImpl {
 public:
  explicit LunaBlockImpl(const LunaBlockOptions& options);
  EncoderState forward(const EncoderState& state) override;

  LunaBlockOptions options;
  LunaAttention attn{nullptr};                    // "attn"
  SequenceNorm attn_layer_norm{nullptr};          // X after attention
  SequenceNorm p_layer_norm{nullptr};             // P after packing (unused output in the last post-LN block)
  FeedForward ffn{nullptr};                       // X only
  SequenceNorm ffn_layer_norm{nullptr};           // X after the FFN
};
TORCH_MODULE(LunaBlock);

// The extra stream: learned P (Lmax,D) ~ N(0, D^-1/2), optional LayerNorm (proj_emb_layer_norm of the
// official code), dynamic slicing/masking, dropout, zeroed at masked slots.
class LunaProjectionImpl : public ExtraStreamImpl {
 public:
  LunaProjectionImpl(const LunaOptions& options, bool layer_norm, double dropout,
                     const std::string& norm_type = "layernorm");
  EncoderState forward(const EncoderState& state) override;  // sets p (B,L,D), p_mask (B,L)

  LunaOptions options;
  torch::Tensor projected_embeddings;        // (Lmax,D)
  SequenceNorm layer_norm{nullptr};          // when model.embedding_layer_norm

 private:
  double dropout_;
};
TORCH_MODULE(LunaProjection);

// Registry factory of luna-16/128/256 (model.attention keys: proj_len, tie_kv, dynamic_projection).
ClassifierModel build_luna(const nlohmann::json& config);
// Forward FLOPs of one Luna attention sublayer for one example of n tokens.
double luna_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry "luna-<proj_len>" (configs/models/luna-<proj_len>.json sets model.attention.proj_len).
ModelEntry luna_model(int64_t proj_len);

}  // namespace lra
