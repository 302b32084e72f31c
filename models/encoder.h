#pragma once
// The encoder every variant shares: embeddings -> optional extra stream -> `layers` blocks -> optional
// final LayerNorm. Blocks exchange an EncoderState, so the loop treats a Luna block (X and P streams)
// and a Transformer/Linformer block (X only) alike. Luna's P is initialised by a pluggable
// ExtraStream module; variants without one pass nullptr and P stays undefined.
// Legend: B batch, N tokens (CLS included), L extra-stream length (Luna's projection length),
// D model, V vocabulary (pad 0 included), M max_len.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/options.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/sequence_norm.h"

namespace lra {

struct EncoderState {
  torch::Tensor x;       // (B,N,D) token stream
  torch::Tensor x_mask;  // (B,N) bool, true at real tokens
  torch::Tensor p;       // (B,L,D) Luna's extra stream, undefined for other variants
  torch::Tensor p_mask;  // (B,L) bool, true at usable slots; undefined = all usable
};

// One encoder layer. Takes the state, returns the next one (x and, if it uses it, p).
class EncoderBlockImpl : public torch::nn::Module {
 public:
  virtual EncoderState forward(const EncoderState& state) = 0;
};

// Initialises state.p / state.p_mask from the embedded state (x after embedding, x_mask).
class ExtraStreamImpl : public torch::nn::Module {
 public:
  virtual EncoderState forward(const EncoderState& state) = 0;
};

using BlockFactory = std::function<std::shared_ptr<EncoderBlockImpl>()>;

struct EncoderOptions {
  EncoderOptions(int64_t vocab_size, int64_t max_len, int64_t d_model, int64_t layers)
      : vocab_size_(vocab_size), max_len_(max_len), d_model_(d_model), layers_(layers) {}
  TORCH_ARG(int64_t, vocab_size);
  TORCH_ARG(int64_t, max_len);  /// rows of the learned position table
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, layers);   /// blocks applied in sequence
  /// dropout on the embeddings
  TORCH_ARG(double, dropout) = 0.1;
  /// a learned position table (embed_positions); false: none (the blocks see order themselves)
  TORCH_ARG(bool, learned_positions) = true;
  /// LayerNorm after embedding the tokens (emb_layer_norm)
  TORCH_ARG(bool, embedding_layer_norm) = true;
  /// LayerNorm after the last block (pre-LN models)
  TORCH_ARG(bool, final_layer_norm) = false;
  /// the embedding and final norms: layernorm | scalenorm | batchnorm (models/sequence_norm.h)
  TORCH_ARG(std::string, norm_type) = "layernorm";
  /// build one block and apply it `layers` times
  TORCH_ARG(bool, tie_layer_weights) = false;
};

class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(const EncoderOptions& options, const BlockFactory& make_block,
              std::shared_ptr<ExtraStreamImpl> extra_stream = nullptr);

  // tokens (B,N) int64, mask (B,N) bool -> final state (x (B,N,D), x_mask, p, p_mask)
  EncoderState forward(const torch::Tensor& tokens, const torch::Tensor& mask);

  EncoderOptions options;
  torch::nn::Embedding embed_tokens{nullptr};     // (V,D), pad row 0
  torch::nn::Embedding embed_positions{nullptr};  // (M,D), when learned_positions
  SequenceNorm emb_layer_norm{nullptr};           // when embedding_layer_norm
  std::shared_ptr<ExtraStreamImpl> extra_stream;  // registered as "extra_stream" when given
  torch::nn::ModuleList blocks;                   // 1 block when tie_layer_weights, else `layers`
  SequenceNorm final_layer_norm{nullptr};         // when final_layer_norm

 private:
  std::vector<std::shared_ptr<EncoderBlockImpl>> block_impls_;  // the same blocks, typed
};
TORCH_MODULE(Encoder);

}  // namespace lra
