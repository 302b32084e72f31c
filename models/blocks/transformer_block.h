#pragma once
// The generic X-only encoder block: a self-attention module (softmax, Linformer, ...) + GELU FFN,
// each wrapped in residual dropout and a LayerNorm, post-LN or pre-LN (model.norm). A variant that
// only changes how tokens attend implements SelfAttentionImpl and reuses this block.
// Legend: B batch, N tokens, D model.
#include <memory>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/blocks/feed_forward.h"
#include "models/encoder.h"
#include "models/model_config.h"
#include "models/sequence_norm.h"

namespace lra {

class SelfAttentionImpl : public torch::nn::Module {
 public:
  // x (B,N,D), mask (B,N) bool true at real tokens -> (B,N,D). Padded positions must not influence
  // real ones.
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) = 0;
};

struct TransformerBlockOptions {
  TransformerBlockOptions(int64_t d_model, int64_t ffn_dim) : d_model_(d_model), ffn_dim_(ffn_dim) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, ffn_dim);
  /// residual dropout after attention and FFN
  TORCH_ARG(double, dropout) = 0.1;
  /// dropout after the FFN activation
  TORCH_ARG(double, act_dropout) = 0.0;
  /// LayerNorm before each sub-block (pre-LN) instead of after the residual sum (post-LN)
  TORCH_ARG(bool, pre_norm) = false;
  /// layernorm | scalenorm | batchnorm
  TORCH_ARG(std::string, norm_type) = "layernorm";
};

// From model.{d_model, ffn_dim, dropout, act_dropout, norm, norm_type}.
TransformerBlockOptions transformer_block_options(const ModelConfig& model);

class TransformerBlockImpl : public EncoderBlockImpl {
 public:
  TransformerBlockImpl(const TransformerBlockOptions& options, std::shared_ptr<SelfAttentionImpl> attn);
  EncoderState forward(const EncoderState& state) override;  // reads/writes x only

  TransformerBlockOptions options;
  std::shared_ptr<SelfAttentionImpl> attn;        // "attn"
  SequenceNorm attn_layer_norm{nullptr};          // "attn_layer_norm"
  FeedForward ffn{nullptr};                       // "ffn" (fc1, fc2)
  SequenceNorm ffn_layer_norm{nullptr};           // "ffn_layer_norm"
};
TORCH_MODULE(TransformerBlock);

}  // namespace lra
