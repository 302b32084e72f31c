#include "models/blocks/transformer_block.h"

#include "models/dropout.h"

namespace lra {

TransformerBlockOptions transformer_block_options(const ModelConfig& model) {
  return TransformerBlockOptions(model.d_model, model.ffn_dim)
      .dropout(model.dropout)
      .act_dropout(model.act_dropout)
      .pre_norm(model.pre_norm)
      .norm_type(model.norm_type);
}

TransformerBlockImpl::TransformerBlockImpl(const TransformerBlockOptions& options_,
                                           std::shared_ptr<SelfAttentionImpl> attn_)
    : options(options_), attn(std::move(attn_)) {
  const auto d = options.d_model();
  register_module("attn", attn);
  attn_layer_norm = register_module("attn_layer_norm", SequenceNorm(options.norm_type(), d));
  ffn = register_module("ffn", FeedForward(d, options.ffn_dim(), options.act_dropout()));
  ffn_layer_norm = register_module("ffn_layer_norm", SequenceNorm(options.norm_type(), d));
}

EncoderState TransformerBlockImpl::forward(const EncoderState& state) {
  const bool train = is_training();
  const double p = options.dropout();
  EncoderState out = state;
  auto x = state.x;  // (B,N,D)
  if (options.pre_norm()) {
    x = x + lra::dropout(attn->forward(attn_layer_norm(x), state.x_mask), p, train);
    x = x + lra::dropout(ffn(ffn_layer_norm(x)), p, train);
  } else {
    x = attn_layer_norm(x + lra::dropout(attn->forward(x, state.x_mask), p, train));
    x = ffn_layer_norm(x + lra::dropout(ffn(x), p, train));
  }
  out.x = x;  // (B,N,D)
  return out;
}

}  // namespace lra
