#include "models/init.h"

#include <cmath>

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

namespace lra {

void xavier_uniform(torch::Tensor& weight, double gain) {
  torch::NoGradGuard no_grad;
  const auto fan_out = weight.size(0);
  const auto fan_in = weight.numel() / fan_out;
  const double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  weight.uniform_(-a, a);
}

void embedding_normal(torch::Tensor& weight, int64_t padding_idx) {
  torch::NoGradGuard no_grad;
  weight.normal_(0.0, std::pow(static_cast<double>(weight.size(1)), -0.5));
  if (padding_idx >= 0) weight[padding_idx].zero_();
}

void apply_bert_init(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (const auto& m : module.modules(/*include_self=*/true)) {
    if (auto* linear = m->as<torch::nn::LinearImpl>()) {
      linear->weight.normal_(0.0, 0.02);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = m->as<torch::nn::EmbeddingImpl>()) {
      embedding->weight.normal_(0.0, 0.02);
      const auto& pad = embedding->options.padding_idx();
      if (pad.has_value()) embedding->weight[*pad].zero_();
    }
  }
}

}  // namespace lra
