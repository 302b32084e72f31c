#include "models/attention/local.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "models/attention/dot_product_attention.h"
#include "models/attention/heads.h"
#include "models/classifier.h"
#include "models/parameter_count.h"

namespace lra {

LocalAttentionOptions local_attention_options(const ModelConfig& model) {
  const AttentionKeys keys(model, {"window"});
  auto options = LocalAttentionOptions(model.d_model, model.heads)
                     .window(keys.get_int("window", 256))
                     .dropout(model.attention_dropout);
  if (options.window() < 1)
    throw UserError("model.attention.window must be >= 1, got " + std::to_string(options.window()));
  return options;
}

LocalAttentionImpl::LocalAttentionImpl(const LocalAttentionOptions& options_) : options(options_) {
  const auto d = options.d_model();
  TORCH_CHECK(d % options.heads() == 0, "local attention: d_model ", d, " % heads ", options.heads(), " != 0");
  TORCH_CHECK(options.window() >= 1, "local attention: window must be >= 1, got ", options.window());
  const auto projections = register_qkvo_projections(*this, d);
  q_proj = projections.q_proj;
  k_proj = projections.k_proj;
  v_proj = projections.v_proj;
  out_proj = projections.out_proj;
}

torch::Tensor LocalAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const auto b = x.size(0), n = x.size(1), d = options.d_model(), h = options.heads(), e = d / h;
  const auto w = std::min(options.window(), n);
  const auto windows = (n + w - 1) / w, padded = windows * w;
  const double scaling = 1.0 / std::sqrt(static_cast<double>(e));
  // Each window is one row of the attention core's batch, so it carries its own key mask.
  auto to_windows = [&](const torch::Tensor& t) {  // (B,N,D) -> (B*W,H,w,E)
    return torch::constant_pad_nd(t, {0, 0, 0, padded - n}).view({b * windows, w, h, e}).transpose(1, 2);
  };
  const auto qkv = project(x, {q_proj, k_proj, v_proj}, {scaling});            // 3 x (B,N,D)
  auto keep = torch::constant_pad_nd(mask, {0, padded - n}, 0).view({b * windows, w});  // (B*W,w)
  keep = keep.logical_or(keep.any(-1, /*keepdim=*/true).logical_not());       // pads-only window: all of it
  const auto out = dot_product_attention(to_windows(qkv[0]), to_windows(qkv[1]), to_windows(qkv[2]), keep,
                                         options.dropout(), is_training());   // (B*W,H,w,E)
  return out_proj(merge_heads(out).view({b, padded, d}).narrow(1, 0, n));     // (B,N,D)
}

ClassifierModel build_local(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const auto attention = local_attention_options(model);
  const auto block = transformer_block_options(model);
  return make_classifier(model, [block, attention] {
    return std::make_shared<TransformerBlockImpl>(block, std::make_shared<LocalAttentionImpl>(attention));
  });
}

double local_attention_flops(const ModelConfig& model, int64_t n) {
  const auto w = std::min(local_attention_options(model).window(), n);
  const double padded = static_cast<double>((n + w - 1) / w * w);  // N rounded up to whole windows
  const double d = static_cast<double>(model.d_model), tokens = static_cast<double>(n);
  return 2.0 * 4.0 * tokens * d * d                            // q, k, v, out projections
         + 2.0 * 2.0 * padded * static_cast<double>(w) * d;    // scores (w,w) and context per window
}

ModelEntry local_model() {
  return {"local", "exact softmax attention inside non-overlapping windows (LRA baseline, Tay et al. 2021)",
          build_local, local_attention_flops, [](const ModelConfig& m) {
            return transformer_block_model_parameters(m, 4 * linear_parameters(m.d_model, m.d_model));
          },
          {}, {}};  // every parameter gets a gradient; configured by configs/models/local.json
}

}  // namespace lra
