#pragma once
// Mega: Moving Average Equipped Gated Attention (Ma, Zhou, Kong, He, Gui, Neubig, May & Zettlemoyer,
// ICLR 2023, arXiv 2209.10655), as the official facebookresearch/mega code builds its LRA encoder
// (MovingAverageGatedAttention + NormalizedFeedForwardNetwork per layer; facts in docs/models.md, "Mega").
// One Mega layer on x (B,L,D):
//   x' = norm(x) (pre-norm) or x
//   v  = silu(x' Wv)                                          (B,L,E)
//   m  = EMA(x')  (models/mega/ema.h), dropout                (B,L,D)
//   u, z, r, hx = split(m Wmx):  u = sigmoid (update gate, D), z, r = silu (shared rep. Z, reset gate E), hx (D)
//   q = z * gamma0 + beta0, k = z * gamma1 + beta1            single head (B,L,Z)
//   A = softmax(q k^T / sqrt(Z) + bias) or laplace(q k^T / n + bias), within chunks of C tokens
//   h  = silu(hx + ((A v) * r) Wh), dropout                   (B,L,D)
//   y  = x + u * (h - x)                                       then norm(y) when post-norm
// then the normalized FFN: y + fc2(silu(fc1(norm(y)))) (pre) or norm(y + fc2(silu(fc1(y)))) (post).
// bias is the simple relative position bias w[M - 1 + (j - i)] (M = chunk_size, or max_len unchunked).
// `mega-chunk` splits the sequence into chunks of C tokens that attend within themselves (linear cost
// in length; the EMA still spans the whole sequence); padding fills the last chunk.
// Legend: B batch, L tokens, D d_model, E hidden_dim (v), Z z_dim (q, k), K chunks, C chunk length.
#include <cstdint>
#include <memory>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/encoder.h"
#include "models/mega/ema.h"
#include "models/model_config.h"
#include "models/sequence_norm.h"

namespace lra {

struct ModelEntry;

struct MegaOptions {
  MegaOptions(int64_t d_model, int64_t max_len) : d_model_(d_model), max_len_(max_len) {}
  TORCH_ARG(int64_t, d_model);
  /// tokens per sequence (the relative position table when unchunked)
  TORCH_ARG(int64_t, max_len);
  /// Z: the shared representation of q and k
  TORCH_ARG(int64_t, z_dim) = 64;
  /// E: the value / reset-gate width
  TORCH_ARG(int64_t, hidden_dim) = 128;
  /// J: EMA dimensions per channel
  TORCH_ARG(int64_t, n_dim) = 16;
  /// C: tokens per attention chunk; 0 = the whole sequence is one chunk
  TORCH_ARG(int64_t, chunk_size) = 0;
  /// EMA kernel length cap; 0 = none
  TORCH_ARG(int64_t, truncation) = 0;
  /// softmax | laplace
  TORCH_ARG(std::string, attention_function) = "softmax";
  TORCH_ARG(bool, bidirectional) = true;
  /// the normalized FFN's hidden width (0: no FFN)
  TORCH_ARG(int64_t, ffn_dim) = 128;
  TORCH_ARG(bool, pre_norm) = false;
  TORCH_ARG(std::string, norm_type) = "layernorm";
  /// on the EMA output, the layer output and the FFN output (the official `dropout`)
  TORCH_ARG(double, dropout) = 0.0;
  /// on the attention weights
  TORCH_ARG(double, attention_dropout) = 0.0;
  /// on v and the FFN's hidden activations (the official `hidden_dropout`, from --act-dropout)
  TORCH_ARG(double, hidden_dropout) = 0.0;
};

// The rows of the position table for `length` queries and keys: (length,length), entry (i,j) =
// table[M - 1 + j - i] with M = (table size + 1) / 2.
torch::Tensor relative_position_bias(const torch::Tensor& table, int64_t length);

// Mega's attention functions on scores s: laplace(s) = 0.5 (1 + erf((s - mu) / (sigma sqrt 2))),
// mu = sqrt(1/2), sigma = sqrt(1/(4 pi)) (the official constants).
torch::Tensor laplace_attention_function(const torch::Tensor& scores);

class MegaLayerImpl : public torch::nn::Module {
 public:
  explicit MegaLayerImpl(const MegaOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);  // (B,L,D), (B,L) -> (B,L,D)

  MegaOptions options;
  SequenceNorm norm{nullptr};          // "norm"
  MultiHeadEma move{nullptr};          // "move"
  torch::nn::Linear v_proj{nullptr};   // (E,D)
  torch::nn::Linear mx_proj{nullptr};  // (D+Z+E+D, D)
  torch::nn::Linear h_proj{nullptr};   // (D,E)
  torch::Tensor gamma, beta;           // (2,Z): q and k from z
  torch::Tensor rel_pos_bias;          // (2M-1)

 private:
  // q, k (B,L,Z), v (B,L,E), mask (B,L) -> (B,L,E), chunk by chunk
  torch::Tensor attend(torch::Tensor q, torch::Tensor k, torch::Tensor v, torch::Tensor mask);
};
TORCH_MODULE(MegaLayer);

class NormalizedFeedForwardImpl : public torch::nn::Module {
 public:
  explicit NormalizedFeedForwardImpl(const MegaOptions& options);
  torch::Tensor forward(const torch::Tensor& x);

  MegaOptions options;
  SequenceNorm norm{nullptr};      // "norm"
  torch::nn::Linear fc1{nullptr};  // (F,D)
  torch::nn::Linear fc2{nullptr};  // (D,F)
};
TORCH_MODULE(NormalizedFeedForward);

class MegaBlockImpl : public EncoderBlockImpl {
 public:
  explicit MegaBlockImpl(const MegaOptions& options);
  EncoderState forward(const EncoderState& state) override;

  MegaLayer mega_layer{nullptr};           // "mega_layer"
  NormalizedFeedForward nffn{nullptr};     // "nffn", when ffn_dim > 0
};
TORCH_MODULE(MegaBlock);

// Forward FLOPs of one Mega layer (projections, attention within chunks, EMA FFTs) for n tokens.
double mega_attention_flops(const ModelConfig& model, int64_t n);

ModelEntry mega_model();        // one chunk: the whole sequence (quadratic)
ModelEntry mega_chunk_model();  // chunks of model.attention.chunk_size tokens (linear)

}  // namespace lra
