#pragma once
// The position-wise FFN of every block: fc2(act_dropout(gelu(fc1(x)))). Legend: B batch, N tokens,
// D model, F ffn_dim.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/dropout.h"

namespace lra {

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t d_model, int64_t ffn_dim, double act_dropout)
      : fc1(register_module("fc1", torch::nn::Linear(d_model, ffn_dim))),
        fc2(register_module("fc2", torch::nn::Linear(ffn_dim, d_model))),
        act_dropout_(act_dropout) {}

  // (B,N,D) -> (B,N,D)
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear fc1;
  torch::nn::Linear fc2;

 private:
  double act_dropout_;
};
TORCH_MODULE(FeedForward);

// runtime.recompute_ffn: every model's FFN keeps only its input for backward and recomputes the
// (B,N,F) hidden activations (a custom autograd function; same results, less memory, one more GEMM).
void set_recompute_ffn(bool on);
bool recompute_ffn();

}  // namespace lra
