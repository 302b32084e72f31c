#include "models/attention/performer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/autocast.h"
#include "core/errors.h"
#include "models/attention/heads.h"
#include "models/classifier.h"
#include "models/batched_matmul.h"
#include "models/parameter_count.h"

namespace lra {

namespace {

constexpr double kFavorEpsilon = 1e-6;  // the paper implementation's numerical_stabilizer

// Autocast off for its lifetime, restoring the previous state: the exponentials of FAVOR+ overflow
// fp16, so the feature maps and the products with them run in fp32 whatever the runtime precision.
class Fp32Scope {
 public:
  Fp32Scope() : was_enabled_(autocast::enabled(at::kCUDA)) { autocast::set_enabled(at::kCUDA, false); }
  ~Fp32Scope() { autocast::set_enabled(at::kCUDA, was_enabled_); }
  Fp32Scope(const Fp32Scope&) = delete;
  Fp32Scope& operator=(const Fp32Scope&) = delete;

 private:
  bool was_enabled_;
};

}  // namespace

PerformerOptions performer_options(const ModelConfig& model) {
  const AttentionKeys keys(model, {"features", "redraw_interval"});
  auto options = PerformerOptions(model.d_model, model.heads)
                     .features(keys.get_int("features", 256))
                     .redraw_interval(keys.get_int("redraw_interval", 1000));
  if (options.features() < 1)
    throw UserError("model.attention.features must be >= 1, got " + std::to_string(options.features()));
  if (options.redraw_interval() < 0)
    throw UserError("model.attention.redraw_interval must be >= 0 (0 = never), got " +
                    std::to_string(options.redraw_interval()));
  return options;
}

torch::Tensor orthogonal_random_features(int64_t rows, int64_t dim) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> blocks;
  for (int64_t done = 0; done < rows; done += dim) {
    const auto [q, r] = at::linalg_qr(torch::randn({dim, dim}));         // Q (E,E), orthonormal columns
    // LAPACK's Householder QR leaves Q's columns biased (measured: mean -0.1 per coordinate, and
    // E[phi] 1.10 instead of 1); flipping each column by the sign of R's diagonal makes Q Haar.
    const auto haar = q * torch::sign(torch::diagonal(r)).unsqueeze(0);
    blocks.push_back(haar.t().narrow(0, 0, std::min(dim, rows - done)));  // (<=E,E) rows
  }
  const auto lengths = torch::randn({rows, dim}).square().sum(1, /*keepdim=*/true).sqrt();  // (M,1)
  return torch::cat(blocks) * lengths;                                  // (M,E)
}

torch::Tensor favor_features(const torch::Tensor& x, const torch::Tensor& features, bool is_query,
                             const torch::Tensor& keep) {
  const auto e = x.size(-1), m = features.size(0);
  const auto scaled = x * std::pow(static_cast<double>(e), -0.25);           // (B,H,N,E)
  const auto projected = torch::matmul(scaled, features.t());               // (B,H,N,M)
  const auto half_norm = scaled.square().sum(-1, /*keepdim=*/true) / 2.0;   // (B,H,N,1)
  torch::Tensor shift;
  if (is_query) {
    shift = std::get<0>(projected.detach().max(-1, /*keepdim=*/true));     // (B,H,N,1)
  } else {
    auto real = projected.detach();
    if (keep.defined())
      real = real.masked_fill(keep.logical_not().unsqueeze(1).unsqueeze(-1),  // (B,1,N,1)
                              -std::numeric_limits<float>::infinity());
    shift = real.amax({-2, -1}, /*keepdim=*/true);                          // (B,H,1,1)
    shift = shift.masked_fill(torch::isinf(shift), 0.0);                    // no real key at all
  }
  auto phi = (torch::exp(projected - half_norm - shift) + kFavorEpsilon) / std::sqrt(static_cast<double>(m));
  if (!is_query && keep.defined()) phi = phi * keep.unsqueeze(1).unsqueeze(-1).to(phi.dtype());
  return phi;                                                               // (B,H,N,M)
}

PerformerAttentionImpl::PerformerAttentionImpl(const PerformerOptions& options_) : options(options_) {
  const auto d = options.d_model(), h = options.heads();
  TORCH_CHECK(d % h == 0, "performer: d_model ", d, " % heads ", h, " != 0");
  TORCH_CHECK(options.features() >= 1, "performer: features must be >= 1, got ", options.features());
  const auto projections = register_qkvo_projections(*this, d);
  q_proj = projections.q_proj;
  k_proj = projections.k_proj;
  v_proj = projections.v_proj;
  out_proj = projections.out_proj;
  random_features = register_buffer("random_features", orthogonal_random_features(options.features(), d / h));
  forward_calls = register_buffer("forward_calls", torch::zeros({}, torch::kLong));
}

void PerformerAttentionImpl::redraw_features() {
  const auto fresh = orthogonal_random_features(options.features(), random_features.size(1));  // CPU
  torch::NoGradGuard no_grad;
  random_features.copy_(fresh);
  forward_calls.zero_();
}

torch::Tensor PerformerAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  if (is_training() && options.redraw_interval() > 0) {
    // .item() reads the counter (a device sync on CUDA, once per layer and step).
    if (forward_calls.item<int64_t>() >= options.redraw_interval()) redraw_features();
    torch::NoGradGuard no_grad;
    forward_calls.add_(1);
  }
  const Fp32Scope fp32;
  const auto h = options.heads();
  const auto qkv = project(x, {q_proj, k_proj, v_proj});                    // 3 x (B,N,D)
  const auto q = split_heads(qkv[0], h).to(torch::kFloat);                  // (B,H,N,E)
  const auto k = split_heads(qkv[1], h).to(torch::kFloat);                  // (B,H,N,E)
  const auto v = split_heads(qkv[2], h).to(torch::kFloat);                  // (B,H,N,E)
  const auto w = random_features.to(torch::kFloat);                         // (M,E)
  const auto q_features = favor_features(q, w, /*is_query=*/true, mask);    // (B,H,N,M)
  const auto k_features = favor_features(k, w, /*is_query=*/false, mask);   // (B,H,N,M), 0 at pads
  const auto context = batched_matmul(k_features.transpose(-2, -1), v);      // (B,H,M,E)
  const auto normaliser = batched_matmul(q_features, k_features.sum(2).unsqueeze(-1));  // (B,H,N,1)
  const auto out = batched_matmul(q_features, context) / normaliser;         // (B,H,N,E)
  return out_proj(merge_heads(out).to(x.scalar_type()));                    // (B,N,D)
}

ClassifierModel build_performer(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const auto attention = performer_options(model);
  const auto block = transformer_block_options(model);
  return make_classifier(model, [block, attention] {
    return std::make_shared<TransformerBlockImpl>(block, std::make_shared<PerformerAttentionImpl>(attention));
  });
}

double performer_attention_flops(const ModelConfig& model, int64_t n) {
  const double m = static_cast<double>(performer_options(model).features());
  const double d = static_cast<double>(model.d_model), h = static_cast<double>(model.heads);
  const double tokens = static_cast<double>(n);
  return 2.0 * 4.0 * tokens * d * d      // q, k, v, out projections
         + 2.0 * 2.0 * tokens * m * d    // W x^ for queries and keys
         + 2.0 * 2.0 * tokens * m * d    // phi(K)^T V and phi(Q) (phi(K)^T V)
         + 2.0 * tokens * m * h;         // normaliser phi(Q) (phi(K)^T 1)
}

ModelEntry performer_model() {
  return {"performer", "FAVOR+ positive orthogonal random features for softmax (Choromanski et al. 2021)",
          build_performer, performer_attention_flops, [](const ModelConfig& m) {
            // The random features are a buffer, not a parameter.
            return transformer_block_model_parameters(m, 4 * linear_parameters(m.d_model, m.d_model));
          },
          {}, {}};  // every parameter gets a gradient; configured by configs/models/performer.json
}

}  // namespace lra
