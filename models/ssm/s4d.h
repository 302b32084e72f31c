#pragma once
// S4D: the diagonal state-space layer of Gu, Gupta, Goel & Ré, "On the Parameterization and
// Initialization of Diagonal State Space Models" (NeurIPS 2022, arXiv 2206.11893), as the official
// state-spaces/s4 code builds it (its minimal models/s4/s4d.py and the full S4 block for the
// bidirectional kernel); facts and their sources in docs/models.md, "S4D".
//
// Per channel h (H = d_model channels) a diagonal SSM of N/2 complex modes n:
//   A_n = -exp(log_A_real) + i A_imag   (S4D-Lin init: -1/2 + i pi n)
//   dt  = exp(log_dt)                   (init log-uniform in [dt_min, dt_max])
//   K[l] = 2 Re( sum_n C_n (exp(dt A_n) - 1) / A_n * exp(dt A_n l) )    (ZOH discretisation,
//                                                     Vandermonde product, evaluated in sqrt(L) blocks)
// y = K * u (causal convolution by real FFT of length >= 2L), + D u, then GELU, dropout, Linear(H -> 2H)
// and GLU. Bidirectional: a second kernel (its own C) runs backwards in time; the two are summed.
// Legend: B batch, L tokens, H channels (d_model), N2 = d_state / 2 complex modes, c kernel channels
// (2 when bidirectional).
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/encoder.h"
#include "models/model_config.h"
#include "models/sequence_norm.h"
#include "models/ssm/fft_convolution.h"

namespace lra {

struct ModelEntry;

struct S4DOptions {
  explicit S4DOptions(int64_t d_model) : d_model_(d_model) {}
  TORCH_ARG(int64_t, d_model);
  /// N: the state size (N/2 complex conjugate pairs are kept)
  TORCH_ARG(int64_t, d_state) = 64;
  /// range of the initial step dt (log-uniform)
  TORCH_ARG(double, dt_min) = 0.001;
  TORCH_ARG(double, dt_max) = 0.1;
  /// a second kernel backwards in time (the classification tasks see the whole sequence)
  TORCH_ARG(bool, bidirectional) = true;
  /// dropout after the GELU, one mask per (example, channel) for all positions
  TORCH_ARG(double, dropout) = 0.0;
};

// The SSM convolution kernel of L steps: (c,H,L).
class S4DKernelImpl : public torch::nn::Module {
 public:
  explicit S4DKernelImpl(const S4DOptions& options);
  torch::Tensor forward(int64_t length);

  S4DOptions options;
  torch::Tensor log_dt;      // (H)
  torch::Tensor C;           // (c,H,N2,2): complex C as (real, imag)
  torch::Tensor log_A_real;  // (H,N2)
  torch::Tensor A_imag;      // (H,N2)
};
TORCH_MODULE(S4DKernel);

// u (B,L,H), zero at padded positions -> (B,L,H).
class S4DLayerImpl : public torch::nn::Module {
 public:
  explicit S4DLayerImpl(const S4DOptions& options);
  torch::Tensor forward(const torch::Tensor& u);

  S4DOptions options;
  S4DKernel kernel{nullptr};            // "kernel"
  torch::Tensor D;                      // (H) skip
  torch::nn::Linear output_linear{nullptr};  // (2H,H) + bias, then GLU
};
TORCH_MODULE(S4DLayer);

// One residual block: [norm ->] S4D layer -> dropout -> + x [-> norm] (model.norm, model.norm_type), with
// the input zeroed at padded positions so that padding never reaches a real token (the backward
// kernel reads the future).
class S4DBlockImpl : public EncoderBlockImpl {
 public:
  S4DBlockImpl(const S4DOptions& options, bool pre_norm, double residual_dropout, const std::string& norm_type);
  EncoderState forward(const EncoderState& state) override;

  S4DLayer layer{nullptr};               // "layer"
  SequenceNorm norm{nullptr};            // "norm"
  bool pre_norm;
  double residual_dropout;
};
TORCH_MODULE(S4DBlock);

// Forward FLOPs of one S4D layer for one example of n tokens (kernel, FFTs, skip, output linear).
double s4d_attention_flops(const ModelConfig& model, int64_t n);

ModelEntry s4d_model();

}  // namespace lra
