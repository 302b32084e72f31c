#pragma once
// The normalisation over the channels of (B,N,D) activations that model.norm_type chooses for every
// norm of a model (the blocks', the embedding's and the final one), as Mega's and S4's LRA configs pick
// one per task:
//   layernorm  per token: (x - mean) / std * weight + bias                      (the default)
//   scalenorm  per token: x / RMS(x) * scalar, one learned scalar (Nguyen & Salazar 2019, Mega's text tasks)
//   batchnorm  per channel over batch and tokens, running statistics in eval mode (Mega's image tasks);
//              padded positions count in the statistics, as in the official code
// eps 1e-5 for all three (Mega's SequenceNorm). The state-dict names are torch's LayerNorm and
// BatchNorm1d names (weight, bias, running_mean, running_var, num_batches_tracked), so a LayerNorm model's
// checkpoints and parity references read the same names as before this module existed.
#include <cstdint>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace lra {

// UserError naming model.norm_type unless `name` is one of layernorm, scalenorm, batchnorm.
void check_norm_type(const std::string& name);

class SequenceNormImpl : public torch::nn::Module {
 public:
  SequenceNormImpl(std::string type, int64_t d);
  torch::Tensor forward(const torch::Tensor& x);  // (...,D) -> same shape

  std::string type;
  torch::Tensor weight, bias;  // (D): layernorm, batchnorm
  torch::Tensor scalar;        // (1): scalenorm
  torch::Tensor running_mean, running_var, num_batches_tracked;  // (D), (D), () int64: batchnorm

 private:
  double eps_ = 1e-5;
  double momentum_ = 0.1;
};
TORCH_MODULE(SequenceNorm);

// Learned parameters of one norm of this type over d channels.
int64_t norm_parameters(const std::string& type, int64_t d);

}  // namespace lra
