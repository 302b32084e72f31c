#pragma once
// Parameter initialisations shared by the variants, as the official Luna code (XuezheMax/fairseq-apollo
// 13e3e3d) does them: bert init = N(0, 0.02) for every Linear/Embedding weight, zero biases, zero pad
// row; Luna's P is N(0, d^-1/2) and is not re-initialised by bert init in the LRA encoder.
#include <torch/nn/module.h>
#include <torch/types.h>

namespace lra {

// In place, under NoGradGuard: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
void xavier_uniform(torch::Tensor& weight, double gain = 1.0);

// Token and learned position embeddings: N(0, d^-1/2); the padding row (if any) set to 0.
void embedding_normal(torch::Tensor& weight, int64_t padding_idx = -1);

// BERT init (model.bert_init): every Linear weight and Embedding weight of `module` (recursively)
// N(0, 0.02), Linear biases 0, Embedding padding rows 0. Raw parameters (Luna's P, Linformer's E/F)
// and LayerNorms are left as they are.
void apply_bert_init(torch::nn::Module& module);

}  // namespace lra
