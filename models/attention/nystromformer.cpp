#include "models/attention/nystromformer.h"

#include <cmath>

#include "core/errors.h"
#include "models/attention/heads.h"
#include "models/classifier.h"
#include "models/batched_matmul.h"
#include "models/parameter_count.h"

namespace lra {

NystromOptions nystrom_options(const ModelConfig& model) {
  const AttentionKeys keys(model, {"landmarks", "conv_kernel"});
  auto options = NystromOptions(model.d_model, model.heads)
                     .landmarks(keys.get_int("landmarks", 64))
                     .conv_kernel(keys.get_int("conv_kernel", 33));
  if (options.landmarks() < 1)
    throw UserError("model.attention.landmarks must be >= 1, got " + std::to_string(options.landmarks()));
  if (options.conv_kernel() < 0 || (options.conv_kernel() > 0 && options.conv_kernel() % 2 == 0))
    throw UserError("model.attention.conv_kernel must be odd (or 0 = no convolution), got " +
                    std::to_string(options.conv_kernel()));
  return options;
}

torch::Tensor iterative_pinv(const torch::Tensor& a, int64_t iterations) {
  const auto eye = torch::eye(a.size(-1), a.options());                       // (m,m)
  const auto norm_1 = a.abs().sum(-2).amax(-1, /*keepdim=*/true).unsqueeze(-1);    // (...,1,1) max column sum
  const auto norm_inf = a.abs().sum(-1).amax(-1, /*keepdim=*/true).unsqueeze(-1);  // (...,1,1) max row sum
  auto z = a.transpose(-2, -1) / (norm_1 * norm_inf);                         // (...,m,m)
  for (int64_t i = 0; i < iterations; ++i) {
    const auto az = batched_matmul(a, z);                                      // (...,m,m)
    z = 0.25 * batched_matmul(z, 13.0 * eye - batched_matmul(az, 15.0 * eye - batched_matmul(az, 7.0 * eye - az)));
  }
  return z;
}

Landmarks segment_means(const torch::Tensor& mask, int64_t landmarks, torch::ScalarType dtype) {
  const auto real = mask.to(torch::kLong);                                    // (B,N)
  const auto rank = real.cumsum(1) - 1;                                       // (B,N) r of real tokens
  const auto length = real.sum(1, /*keepdim=*/true).clamp_min(1);             // (B,1) L
  const auto segment = torch::div(rank * landmarks, length, "floor").clamp(0, landmarks - 1);  // (B,N)
  const auto member = torch::one_hot(segment, landmarks).to(dtype) * mask.unsqueeze(-1).to(dtype);  // (B,N,m)
  const auto sizes = member.sum(1);                                           // (B,m)
  return {(member / sizes.clamp_min(1.0).unsqueeze(1)).transpose(1, 2), sizes > 0};  // (B,m,N), (B,m)
}

NystromAttentionImpl::NystromAttentionImpl(const NystromOptions& options_) : options(options_) {
  const auto d = options.d_model(), h = options.heads(), kernel = options.conv_kernel();
  TORCH_CHECK(d % h == 0, "nystromformer: d_model ", d, " % heads ", h, " != 0");
  TORCH_CHECK(options.landmarks() >= 1, "nystromformer: landmarks must be >= 1, got ", options.landmarks());
  TORCH_CHECK(kernel == 0 || kernel % 2 == 1, "nystromformer: conv_kernel must be odd or 0, got ", kernel);
  const auto projections = register_qkvo_projections(*this, d);
  q_proj = projections.q_proj;
  k_proj = projections.k_proj;
  v_proj = projections.v_proj;
  out_proj = projections.out_proj;
  if (kernel > 0)
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(h, h, {kernel, 1})
                                                         .padding(torch::ExpandingArray<2>({kernel / 2, 0}))
                                                         .groups(h)
                                                         .bias(false)));
}

torch::Tensor NystromAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const auto h = options.heads();
  const double scaling = std::pow(static_cast<double>(options.d_model() / h), -0.25);  // E^-1/4 on Q and K
  const auto qkv = project(x, {q_proj, k_proj, v_proj}, {scaling, scaling});  // 3 x (B,N,D)
  const auto q = split_heads(qkv[0], h);                                      // (B,H,N,E), scaled
  const auto k = split_heads(qkv[1], h);                                      // (B,H,N,E), scaled
  const auto v = split_heads(qkv[2], h);                                      // (B,H,N,E)
  const auto landmarks = segment_means(mask, options.landmarks(), x.scalar_type());
  const auto means = landmarks.weights.unsqueeze(1).expand({-1, h, -1, -1});  // (B,H,m,N), a view
  const auto q_landmarks = batched_matmul(means, q);                           // (B,H,m,E) Q~
  const auto k_landmarks = batched_matmul(means, k);                           // (B,H,m,E) K~
  const auto f = torch::softmax(mask_keys(batched_matmul(q, k_landmarks.transpose(-2, -1)), landmarks.keep), -1);  // (B,H,N,m)
  const auto a = torch::softmax(mask_keys(batched_matmul(q_landmarks, k_landmarks.transpose(-2, -1)), landmarks.keep), -1)
                 * landmarks.keep.unsqueeze(1).unsqueeze(-1).to(x.dtype());   // (B,H,m,m), 0 rows at empty segments
  const auto b = torch::softmax(mask_keys(batched_matmul(q_landmarks, k.transpose(-2, -1)), mask), -1);  // (B,H,m,N)
  auto out = batched_matmul(f, batched_matmul(iterative_pinv(a, options.pinv_iterations()), batched_matmul(b, v)));  // (B,H,N,E)
  if (conv) out = out + conv(v * mask.unsqueeze(1).unsqueeze(-1).to(v.dtype()));  // (B,H,N,E), pads zeroed first
  return out_proj(merge_heads(out));                                          // (B,N,D)
}

ClassifierModel build_nystromformer(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const auto attention = nystrom_options(model);
  const auto block = transformer_block_options(model);
  return make_classifier(model, [block, attention] {
    return std::make_shared<TransformerBlockImpl>(block, std::make_shared<NystromAttentionImpl>(attention));
  });
}

double nystrom_attention_flops(const ModelConfig& model, int64_t n) {
  const auto options = nystrom_options(model);
  const double m = static_cast<double>(options.landmarks()), d = static_cast<double>(model.d_model);
  const double h = static_cast<double>(model.heads), tokens = static_cast<double>(n);
  const double iterations = static_cast<double>(options.pinv_iterations());
  return 2.0 * 4.0 * tokens * d * d                     // q, k, v, out projections
         + 2.0 * 2.0 * m * tokens * d                   // landmark means Q~, K~
         + 2.0 * 3.0 * tokens * m * d                   // Q K~^T, Q~ K^T, B~ V
         + 2.0 * m * m * d                              // Q~ K~^T
         + iterations * 4.0 * 2.0 * m * m * m * h       // pseudo-inverse: 4 (m,m) products per step
         + 2.0 * m * m * d + 2.0 * tokens * m * d       // Z (B~ V), F~ (Z B~ V)
         + 2.0 * tokens * static_cast<double>(options.conv_kernel()) * d;  // depthwise conv on V
}

ModelEntry nystromformer_model() {
  return {"nystromformer", "Nystrom approximation through segment-mean landmarks (Xiong et al. 2021)",
          build_nystromformer, nystrom_attention_flops, [](const ModelConfig& m) {
            const int64_t depthwise_conv = m.heads * nystrom_options(m).conv_kernel();  // one (kernel, 1) filter per head
            return transformer_block_model_parameters(m, 4 * linear_parameters(m.d_model, m.d_model) + depthwise_conv);
          },
          {}, {}};  // every parameter gets a gradient; configured by configs/models/nystromformer.json
}

}  // namespace lra
