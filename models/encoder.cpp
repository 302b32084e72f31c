#include "models/encoder.h"

#include "models/dropout.h"
#include "models/init.h"

namespace lra {

EncoderImpl::EncoderImpl(const EncoderOptions& options_, const BlockFactory& make_block,
                         std::shared_ptr<ExtraStreamImpl> extra_stream_)
    : options(options_), extra_stream(std::move(extra_stream_)) {
  const auto d = options.d_model();
  embed_tokens = register_module(
      "embed_tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(options.vocab_size(), d).padding_idx(0)));
  // Both tables are constructed before either is initialised: the order of draws from torch's
  // generator is the one every committed run was made with.
  if (options.learned_positions())
    embed_positions = register_module("embed_positions", torch::nn::Embedding(options.max_len(), d));
  embedding_normal(embed_tokens->weight, /*padding_idx=*/0);
  if (embed_positions) embedding_normal(embed_positions->weight);
  if (options.embedding_layer_norm())
    emb_layer_norm = register_module("emb_layer_norm", SequenceNorm(options.norm_type(), d));
  if (extra_stream) register_module("extra_stream", extra_stream);
  blocks = register_module("blocks", torch::nn::ModuleList());
  const auto distinct = options.tie_layer_weights() ? 1 : options.layers();
  for (int64_t i = 0; i < distinct; ++i) {
    block_impls_.push_back(make_block());
    blocks->push_back(block_impls_.back());
  }
  if (options.final_layer_norm())
    final_layer_norm = register_module("final_layer_norm", SequenceNorm(options.norm_type(), d));
}

EncoderState EncoderImpl::forward(const torch::Tensor& tokens, const torch::Tensor& mask) {
  const auto n = tokens.size(1);
  TORCH_CHECK(n <= options.max_len(), "encoder: sequence length ", n, " > max_len ", options.max_len());
  TORCH_CHECK(mask.sizes() == tokens.sizes(), "encoder: mask ", mask.sizes(), " != tokens ", tokens.sizes());
  EncoderState state;
  state.x = embed_tokens(tokens);  // (B,N,D)
  if (embed_positions) state.x = state.x + embed_positions(torch::arange(n, tokens.options())).unsqueeze(0);
  if (emb_layer_norm) state.x = emb_layer_norm(state.x);
  state.x = lra::dropout(state.x, options.dropout(), is_training());
  state.x = state.x * mask.unsqueeze(-1).to(state.x.dtype());           // zero at pads
  state.x_mask = mask;
  if (extra_stream) state = extra_stream->forward(state);               // p (B,L,D), p_mask (B,L)
  for (int64_t i = 0; i < options.layers(); ++i)
    state = block_impls_[static_cast<size_t>(options.tie_layer_weights() ? 0 : i)]->forward(state);
  if (final_layer_norm) state.x = final_layer_norm(state.x);
  return state;
}

}  // namespace lra
