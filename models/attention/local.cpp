#include "models/attention/local.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.h"
#include "models/classifier.h"
#include "models/softmax_dropout.h"
#include "models/flops.h"

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
  auto to_windows = [&](const torch::Tensor& t) {  // (B,N,D) -> (B,H,W,w,E)
    return torch::constant_pad_nd(t, {0, 0, 0, padded - n}).reshape({b, windows, w, h, e}).permute({0, 3, 1, 2, 4});
  };
  const auto qkv = project(x, {q_proj, k_proj, v_proj}, {scaling});            // 3 x (B,N,D)
  const auto q = to_windows(qkv[0]);                                           // (B,H,W,w,E), scaled
  const auto k = to_windows(qkv[1]);                                           // (B,H,W,w,E)
  const auto v = to_windows(qkv[2]);                                           // (B,H,W,w,E)
  auto keep = torch::constant_pad_nd(mask, {0, padded - n}, 0).reshape({b, 1, windows, 1, w});  // (B,1,W,1,w)
  keep = keep.logical_or(keep.any(-1, /*keepdim=*/true).logical_not());       // pads-only window: all of it
  const auto scores = torch::matmul(q, k.transpose(-2, -1))                    // (B,H,W,w,w)
                          .masked_fill(keep.logical_not(), std::numeric_limits<float>::lowest());  // finite: exp gives 0
  const auto probs = softmax_dropout(scores, {}, options.dropout(), is_training());
  const auto out = torch::matmul(probs, v);                                    // (B,H,W,w,E)
  return out_proj(out.permute({0, 2, 3, 1, 4}).reshape({b, padded, d}).narrow(1, 0, n));  // (B,N,D)
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

}  // namespace lra
