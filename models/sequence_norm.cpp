#include "models/sequence_norm.h"

#include <torch/nn/functional/batchnorm.h>
#include <torch/nn/functional/normalization.h>

#include "core/errors.h"

namespace lra {

namespace F = torch::nn::functional;

void check_norm_type(const std::string& name) {
  if (name != "layernorm" && name != "scalenorm" && name != "batchnorm")
    throw UserError("model.norm_type must be 'layernorm', 'scalenorm' or 'batchnorm', got '" + name + "'");
}

SequenceNormImpl::SequenceNormImpl(std::string type_, int64_t d) : type(std::move(type_)) {
  check_norm_type(type);
  if (type == "scalenorm") {
    scalar = register_parameter("scalar", torch::ones({1}));
    return;
  }
  weight = register_parameter("weight", torch::ones({d}));
  bias = register_parameter("bias", torch::zeros({d}));
  if (type == "batchnorm") {
    running_mean = register_buffer("running_mean", torch::zeros({d}));
    running_var = register_buffer("running_var", torch::ones({d}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
  }
}

torch::Tensor SequenceNormImpl::forward(const torch::Tensor& x) {
  const int64_t d = x.size(-1);
  if (type == "layernorm") return F::layer_norm(x, F::LayerNormFuncOptions({d}).weight(weight).bias(bias).eps(eps_));
  if (type == "scalenorm") return x * scalar * torch::rsqrt(x.square().mean(-1, /*keepdim=*/true) + eps_);
  // batchnorm: the channels of every (example, token) row as one batch of B*N samples
  const bool train = is_training();
  if (train) {
    torch::NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  const auto rows = x.reshape({-1, d});  // (B*N,D)
  return F::batch_norm(rows, running_mean, running_var,
                       F::BatchNormFuncOptions().weight(weight).bias(bias).training(train).momentum(momentum_).eps(eps_))
      .view(x.sizes());
}

int64_t norm_parameters(const std::string& type, int64_t d) { return type == "scalenorm" ? 1 : 2 * d; }

}  // namespace lra
