#include "models/ssm/s4d.h"

#include <cmath>

#include <torch/nn/functional/activation.h>

#include "core/errors.h"
#include "models/classifier.h"
#include "models/dropout.h"
#include "models/parameter_count.h"
#include "models/registry.h"

namespace lra {

namespace F = torch::nn::functional;

S4DKernelImpl::S4DKernelImpl(const S4DOptions& options_) : options(options_) {
  const int64_t h = options.d_model(), n2 = options.d_state() / 2, c = options.bidirectional() ? 2 : 1;
  TORCH_CHECK(options.d_state() >= 2 && options.d_state() % 2 == 0, "s4d: d_state must be even and >= 2, got ",
              options.d_state());
  TORCH_CHECK(options.dt_min() > 0 && options.dt_min() <= options.dt_max(), "s4d: need 0 < dt_min <= dt_max");
  const double log_min = std::log(options.dt_min()), log_max = std::log(options.dt_max());
  log_dt = register_parameter("log_dt", torch::rand({h}) * (log_max - log_min) + log_min);
  // A complex standard normal: real and imaginary parts each of variance 1/2.
  C = register_parameter("C", torch::randn({c, h, n2, 2}) * std::sqrt(0.5));
  log_A_real = register_parameter("log_A_real", torch::full({h, n2}, std::log(0.5)));                  // S4D-Lin
  A_imag = register_parameter("A_imag", (M_PI * torch::arange(n2, torch::kFloat32)).repeat({h, 1}));  // pi n
}

torch::Tensor S4DKernelImpl::forward(int64_t length) {
  const auto dt = log_dt.exp();                                           // (H)
  const auto A = torch::complex(-log_A_real.exp(), A_imag);               // (H,N2)
  const auto dtA = A * dt.unsqueeze(-1);                                   // (H,N2)
  const auto Cd = torch::view_as_complex(C) * (dtA.exp() - 1.0) / A;      // (c,H,N2): ZOH
  // The Vandermonde product K[l] = 2 Re sum_n Cd_n exp(dtA_n l), with l = b S + j split into S-step
  // blocks b and offsets j (S ~ sqrt L): exp(dtA l) = exp(dtA b S) exp(dtA j), so K is one real batched
  // matrix product per channel of (blocks x N2) by (N2 x S). The direct form's (H,N2,L) tensor of complex
  // exponentials (1 GB at 16K tokens in the paper's Text config) becomes two of (H,N2,~sqrt L).
  const int64_t c = Cd.size(0), h = Cd.size(1), span = static_cast<int64_t>(std::ceil(std::sqrt(length)));
  const int64_t blocks = (length + span - 1) / span;
  const auto offsets = torch::arange(span, log_dt.options());                 // (S)
  const auto starts = torch::arange(blocks, log_dt.options()) * span;         // (b)
  const auto inner = (dtA.unsqueeze(-1) * offsets).exp();                      // (H,N2,S)
  const auto outer = Cd.unsqueeze(-1) * (dtA.unsqueeze(-1) * starts).exp();   // (c,H,N2,b)
  // Re(w v) = Re w Re v - Im w Im v, as one real product over 2 N2.
  const auto left = torch::cat({torch::real(outer), -torch::imag(outer)}, 2).permute({1, 0, 3, 2})
                        .reshape({h, c * blocks, -1});                             // (H,c b,2 N2)
  const auto right = torch::cat({torch::real(inner), torch::imag(inner)}, 1);     // (H,2 N2,S)
  const auto k = torch::bmm(left, right).view({h, c, blocks * span}).narrow(2, 0, length);  // (H,c,L)
  return 2.0 * k.permute({1, 0, 2});                                                     // (c,H,L)
}

S4DLayerImpl::S4DLayerImpl(const S4DOptions& options_) : options(options_) {
  const int64_t h = options.d_model();
  kernel = register_module("kernel", S4DKernel(options));
  D = register_parameter("D", torch::randn({h}));
  output_linear = register_module("output_linear", torch::nn::Linear(h, 2 * h));
}

torch::Tensor S4DLayerImpl::forward(const torch::Tensor& u) {
  const auto k = kernel(u.size(1));  // (c,H,L)
  auto y = fft_convolution(u, k[0], options.bidirectional() ? k[1] : torch::Tensor());  // (B,L,H)
  y = F::gelu(y + u * D);
  if (options.dropout() > 0 && is_training())  // one mask per (example, channel), tied over positions
    y = y * lra::dropout(torch::ones({u.size(0), 1, u.size(2)}, u.options()), options.dropout(), true);
  return F::glu(output_linear(y), -1);  // (B,L,2H) -> (B,L,H)
}

S4DBlockImpl::S4DBlockImpl(const S4DOptions& options, bool pre_norm_, double residual_dropout_,
                           const std::string& norm_type)
    : pre_norm(pre_norm_), residual_dropout(residual_dropout_) {
  layer = register_module("layer", S4DLayer(options));
  norm = register_module("norm", SequenceNorm(norm_type, options.d_model()));
}

EncoderState S4DBlockImpl::forward(const EncoderState& state) {
  const auto keep = state.x_mask.unsqueeze(-1).to(state.x.dtype());  // (B,N,1)
  auto z = (pre_norm ? norm(state.x) : state.x) * keep;
  z = lra::dropout(layer(z), residual_dropout, is_training());
  EncoderState out = state;
  out.x = state.x + z;
  if (!pre_norm) out.x = norm(out.x);
  return out;
}

namespace {

S4DOptions s4d_options(const ModelConfig& model) {
  const AttentionKeys keys(model, {"d_state", "dt_min", "dt_max", "bidirectional", "ssm_lr"});
  return S4DOptions(model.d_model)
      .d_state(keys.get_int("d_state", 64))
      .dt_min(keys.get_double("dt_min", 0.001))
      .dt_max(keys.get_double("dt_max", 0.1))
      .bidirectional(keys.get_bool("bidirectional", true))
      .dropout(model.dropout);
}

ClassifierModel build_s4d(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const auto options = s4d_options(model);
  if (options.d_state() < 2 || options.d_state() % 2 != 0)
    throw UserError("model.attention.d_state must be even and >= 2, got " + std::to_string(options.d_state()));
  if (options.dt_min() > options.dt_max())
    throw UserError("model.attention.dt_min (" + std::to_string(options.dt_min()) + ") must not exceed dt_max (" +
                    std::to_string(options.dt_max()) + ")");
  const bool pre_norm = model.pre_norm;
  const double dropout = model.dropout;
  const std::string norm_type = model.norm_type;
  return make_classifier(model, [options, pre_norm, dropout, norm_type] {
    return std::make_shared<S4DBlockImpl>(options, pre_norm, dropout, norm_type);
  });
}

int64_t s4d_parameters(const ModelConfig& m) {
  const auto o = s4d_options(m);
  const int64_t h = m.d_model, n2 = o.d_state() / 2, c = o.bidirectional() ? 2 : 1;
  const int64_t kernel = h + c * h * n2 * 2 + 2 * h * n2;  // log_dt, C, log_A_real, A_imag
  const int64_t block = kernel + h + linear_parameters(h, 2 * h) + norm_parameters(m.norm_type, h);
  return shared_parameters(m) + distinct_blocks(m) * block;
}

}  // namespace

double s4d_attention_flops(const ModelConfig& m, int64_t n) {
  // Matrix-product FLOPs as for every model (models/flops.h): the output linear; plus the two real FFTs
  // of length 2n per channel (~2.5 * 2n * log2(2n) each). The kernel (a blocked Vandermonde product) is
  // made once per batch, not per example, and is left out.
  const double h = static_cast<double>(m.d_model), len = static_cast<double>(n);
  const double ffts = 2.0 * h * 2.5 * 2.0 * len * std::log2(std::max(2.0, 2.0 * len));
  return 2.0 * len * h * 2.0 * h + ffts;
}

ModelEntry s4d_model() {
  ModelEntry entry{"s4d",
                   "diagonal state-space layer, S4D-Lin init, FFT convolution, bidirectional (Gu et al. 2022)",
                   build_s4d, s4d_attention_flops, s4d_parameters, {}, nullptr, true, {}};
  entry.feed_forward = false;  // the GLU output linear mixes channels; no FFN sublayer
  entry.default_table = true;
  // The SSM's own parameters train at their own rate and without weight decay (the official code's
  // `register(name, tensor, lr)`); C, D and the rest use the run's.
  entry.parameter_groups = [](const ModelConfig& m) {
    const double lr = AttentionKeys(m, {"d_state", "dt_min", "dt_max", "bidirectional", "ssm_lr"})
                          .get_double("ssm_lr", 0.001);
    return std::vector<ParameterGroupRule>{{"ssm", {"kernel.log_dt", "kernel.log_A_real", "kernel.A_imag"}, lr, 0.0}};
  };
  return entry;
}

}  // namespace lra
