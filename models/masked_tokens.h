#pragma once
// Self-pretraining's denoising objective (Amos et al. 2024, "Never Train from Scratch"): a share of each
// document's real tokens is replaced by the MASK id and the encoder predicts the original ids there.
// As the paper's code for LRA: each token is chosen independently (rate 0.5 by default), a chosen token
// is always replaced by MASK (no BERT 80/10/10), the loss covers the chosen positions only, and the
// prediction head is a separate Linear that fine-tuning discards. CLS (position 0) and padding are never
// chosen. Pixel tasks predict the 256 intensities as classes, as the paper's Pathfinder setting does.
// Legend: B batch, N tokens (CLS at 0), D model, V vocabulary, M chosen positions in the batch.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/encoder.h"

namespace lra {

struct MaskedTokens {
  torch::Tensor inputs;   // (B,N) int64: the tokens with the chosen positions replaced by mask_id
  torch::Tensor chosen;   // (B,N) bool: the positions to predict
  torch::Tensor targets;  // (M) int64: the original ids at the chosen positions, in row-major order
};

// Chooses each real token except CLS (column 0) with probability `rate`, drawing from `uniform`, a
// (B,N) tensor of U[0,1) numbers the caller owns (so the caller decides the random stream).
// tokens (B,N) int64, mask (B,N) bool true at real tokens.
MaskedTokens mask_tokens(const torch::Tensor& tokens, const torch::Tensor& mask, const torch::Tensor& uniform,
                         double rate, int64_t mask_id);

// The encoder with a token-prediction head: Linear(D -> V) on the encoder's output at the chosen positions.
class MaskedTokenModelImpl : public torch::nn::Module {
 public:
  MaskedTokenModelImpl(Encoder encoder, int64_t vocab_size);

  // (M,V) logits at the chosen positions of `inputs` (B,N) with padding mask (B,N).
  torch::Tensor forward(const torch::Tensor& inputs, const torch::Tensor& mask, const torch::Tensor& chosen);

  Encoder encoder{nullptr};               // "encoder": the classifier's own, shared (same tensors)
  torch::nn::Linear token_head{nullptr};  // "token_head": (V,D) + bias
};
TORCH_MODULE(MaskedTokenModel);

// Mean cross-entropy of logits (M,V) against targets (M); 0 (with a gradient path) when M = 0.
torch::Tensor masked_token_loss(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace lra
