#include "models/attention/softmax.h"

#include <cmath>

#include "models/attention/dot_product_attention.h"
#include "models/attention/heads.h"
#include "models/attention/projections.h"
#include "models/classifier.h"
#include "models/init.h"
#include "models/parameter_count.h"

namespace lra {

SoftmaxAttentionImpl::SoftmaxAttentionImpl(const SoftmaxAttentionOptions& options_) : options(options_) {
  const auto d = options.d_model();
  TORCH_CHECK(d % options.heads() == 0, "softmax attention: d_model ", d, " % heads ", options.heads(), " != 0");
  const auto projections = register_qkvo_projections(*this, d);  // fairseq's MHA init
  q_proj = projections.q_proj;
  k_proj = projections.k_proj;
  v_proj = projections.v_proj;
  out_proj = projections.out_proj;
}

torch::Tensor SoftmaxAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const auto h = options.heads();
  const double scaling = 1.0 / std::sqrt(static_cast<double>(options.d_model() / h));
  const auto qkv = project(x, {q_proj, k_proj, v_proj}, {scaling});  // 3 x (B,N,D)
  const auto q = split_heads(qkv[0], h);                            // (B,H,N,E), scaled
  const auto k = split_heads(qkv[1], h);                            // (B,H,N,E)
  const auto v = split_heads(qkv[2], h);                            // (B,H,N,E)
  const auto context = dot_product_attention(q, k, v, mask, options.dropout(), is_training());  // (B,H,N,E)
  return out_proj(merge_heads(context));                           // (B,N,D)
}

ClassifierModel build_transformer(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const AttentionKeys keys(model, {});
  const auto block = transformer_block_options(model);
  const auto attention = SoftmaxAttentionOptions(model.d_model, model.heads).dropout(model.attention_dropout);
  return make_classifier(model, [block, attention] {
    return std::make_shared<TransformerBlockImpl>(block, std::make_shared<SoftmaxAttentionImpl>(attention));
  });
}

}  // namespace lra

namespace lra {

double softmax_attention_flops(const ModelConfig& model, int64_t n) {
  const double d = static_cast<double>(model.d_model), tokens = static_cast<double>(n);
  return 2.0 * 4.0 * tokens * d * d     // q, k, v, out projections
         + 2.0 * 2.0 * tokens * tokens * d;  // scores (N,N) and context
}

ModelEntry transformer_model() {
  ModelEntry entry{"transformer", "softmax multi-head attention, pre-LN (Vaswani et al. 2017)", build_transformer,
          softmax_attention_flops, [](const ModelConfig& m) {
            return transformer_block_model_parameters(m, 4 * linear_parameters(m.d_model, m.d_model));
          },
          {}, {}};  // every parameter gets a gradient; configured by configs/models/transformer.json
  entry.default_table = true;
  return entry;
}

}  // namespace lra
