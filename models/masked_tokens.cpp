#include "models/masked_tokens.h"

#include <torch/nn/functional/loss.h>

namespace lra {

MaskedTokens mask_tokens(const torch::Tensor& tokens, const torch::Tensor& mask, const torch::Tensor& uniform,
                         double rate, int64_t mask_id) {
  TORCH_CHECK(tokens.sizes() == mask.sizes() && tokens.sizes() == uniform.sizes(),
              "mask_tokens: tokens ", tokens.sizes(), ", mask ", mask.sizes(), " and uniform ", uniform.sizes(),
              " differ");
  auto eligible = mask.clone();                                   // (B,N)
  eligible.select(1, 0).fill_(false);                              // CLS is never predicted
  MaskedTokens out;
  out.chosen = eligible.logical_and(uniform.lt(rate));             // (B,N)
  out.targets = tokens.masked_select(out.chosen);                  // (M)
  out.inputs = tokens.masked_fill(out.chosen, mask_id);            // (B,N)
  return out;
}

MaskedTokenModelImpl::MaskedTokenModelImpl(Encoder encoder_, int64_t vocab_size)
    : encoder(register_module("encoder", std::move(encoder_))),
      token_head(register_module("token_head",
                                 torch::nn::Linear(encoder->options.d_model(), vocab_size))) {}

torch::Tensor MaskedTokenModelImpl::forward(const torch::Tensor& inputs, const torch::Tensor& mask,
                                            const torch::Tensor& chosen) {
  const auto x = encoder(inputs, mask).x;                          // (B,N,D)
  return token_head(x.index({chosen}));                            // (M,V): only the chosen rows
}

torch::Tensor masked_token_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
  if (targets.numel() == 0) return logits.sum() * 0.0;
  return torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), targets);
}

}  // namespace lra
