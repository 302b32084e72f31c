#include "models/attention/linformer.h"

#include <cmath>

#include "core/errors.h"
#include "models/attention/heads.h"
#include "models/attention/projections.h"
#include "models/classifier.h"
#include "models/attention/dot_product_attention.h"
#include "models/init.h"
#include "models/parameter_count.h"

namespace lra {

LinformerAttentionImpl::LinformerAttentionImpl(const LinformerOptions& options_) : options(options_) {
  const auto d = options.d_model();
  TORCH_CHECK(d % options.heads() == 0, "linformer: d_model ", d, " % heads ", options.heads(), " != 0");
  TORCH_CHECK(options.k() >= 1, "linformer: k must be >= 1, got ", options.k());
  const auto projections = register_qkvo_projections(*this, d);
  q_proj = projections.q_proj;
  k_proj = projections.k_proj;
  v_proj = projections.v_proj;
  out_proj = projections.out_proj;
  E = register_parameter("E", torch::empty({options.k(), options.max_len()}));  // (K,M)
  F = register_parameter("F", torch::empty({options.k(), options.max_len()}));  // (K,M)
  const double gain = 1.0 / std::sqrt(2.0);
  for (auto* w : {&E, &F}) xavier_uniform(*w, gain);
}

torch::Tensor LinformerAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const auto n = x.size(1), h = options.heads();
  TORCH_CHECK(n <= options.max_len(), "linformer: sequence length ", n, " > configured max_len ", options.max_len());
  const double scaling = 1.0 / std::sqrt(static_cast<double>(options.d_model() / h));
  const auto keep = mask.unsqueeze(-1).to(x.dtype());                  // (B,N,1)
  const auto qkv = project(x, {q_proj, k_proj, v_proj}, {scaling});    // 3 x (B,N,D)
  const auto q = split_heads(qkv[0], h);                               // (B,H,N,E), scaled
  const auto k = torch::matmul(E.narrow(1, 0, n), qkv[1] * keep);      // (K,N)@(B,N,D) -> (B,K,D)
  const auto v = torch::matmul(F.narrow(1, 0, n), qkv[2] * keep);      // (B,K,D)
  const auto context = dot_product_attention(q, split_heads(k, h), split_heads(v, h), {}, options.dropout(),
                                             is_training());                  // (B,H,N,E), over K rows
  return out_proj(merge_heads(context));                                     // (B,N,D)
}

ClassifierModel build_linformer(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const AttentionKeys keys(model, {"k"});
  const auto attention = LinformerOptions(model.d_model, model.heads, model.task.max_len)
                             .k(keys.get_int("k", 256))
                             .dropout(model.attention_dropout);
  if (attention.k() < 1) throw UserError("model.attention.k must be >= 1, got " + std::to_string(attention.k()));
  const auto block = transformer_block_options(model);
  return make_classifier(model, [block, attention] {
    return std::make_shared<TransformerBlockImpl>(block, std::make_shared<LinformerAttentionImpl>(attention));
  });
}

}  // namespace lra

namespace lra {

double linformer_attention_flops(const ModelConfig& model, int64_t n) {
  const double k = static_cast<double>(model.attention.value("k", int64_t{256}));
  const double d = static_cast<double>(model.d_model), tokens = static_cast<double>(n);
  return 2.0 * 4.0 * tokens * d * d  // q, k, v, out projections
         + 2.0 * 2.0 * k * tokens * d  // E K and F V along the sequence
         + 2.0 * 2.0 * tokens * k * d;  // scores (N,k) and context
}

ModelEntry linformer_model() {
  ModelEntry entry{"linformer", "keys/values projected along the sequence to k rows (Wang et al. 2020)", build_linformer,
          linformer_attention_flops, [](const ModelConfig& m) {
            const int64_t k = m.attention.value("k", int64_t{256});  // E and F: (k, max_len) each
            return transformer_block_model_parameters(m, 4 * linear_parameters(m.d_model, m.d_model) +
                                                             2 * k * m.task.max_len);
          },
          {}, {}};  // every parameter gets a gradient; configured by configs/models/linformer.json
  entry.default_table = true;
  return entry;
}

}  // namespace lra
