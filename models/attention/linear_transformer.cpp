#include "models/attention/linear_transformer.h"

#include "models/attention/heads.h"
#include "models/classifier.h"
#include "models/batched_matmul.h"
#include "models/parameter_count.h"

namespace lra {

LinearAttentionImpl::LinearAttentionImpl(const LinearAttentionOptions& options_) : options(options_) {
  const auto d = options.d_model();
  TORCH_CHECK(d % options.heads() == 0, "linear attention: d_model ", d, " % heads ", options.heads(), " != 0");
  const auto projections = register_qkvo_projections(*this, d);
  q_proj = projections.q_proj;
  k_proj = projections.k_proj;
  v_proj = projections.v_proj;
  out_proj = projections.out_proj;
}

torch::Tensor LinearAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const auto h = options.heads();
  const auto keep = mask.unsqueeze(1).unsqueeze(-1).to(x.dtype());          // (B,1,N,1)
  const auto qkv = project(x, {q_proj, k_proj, v_proj});                    // 3 x (B,N,D)
  const auto q = torch::elu(split_heads(qkv[0], h)) + 1.0;                  // (B,H,N,E) phi(Q)
  const auto k = (torch::elu(split_heads(qkv[1], h)) + 1.0) * keep;         // (B,H,N,E) phi(K), 0 at pads
  const auto v = split_heads(qkv[2], h);                                    // (B,H,N,E)
  const auto context = batched_matmul(k.transpose(-2, -1), v);               // (B,H,E,E)
  const auto normaliser = batched_matmul(q, k.sum(2).unsqueeze(-1)) + options.eps();  // (B,H,N,1)
  return out_proj(merge_heads(batched_matmul(q, context) / normaliser));     // (B,N,D)
}

ClassifierModel build_linear_transformer(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const AttentionKeys keys(model, {});
  const auto attention = LinearAttentionOptions(model.d_model, model.heads);
  const auto block = transformer_block_options(model);
  return make_classifier(model, [block, attention] {
    return std::make_shared<TransformerBlockImpl>(block, std::make_shared<LinearAttentionImpl>(attention));
  });
}

double linear_attention_flops(const ModelConfig& model, int64_t n) {
  const double d = static_cast<double>(model.d_model), e = d / static_cast<double>(model.heads);
  const double tokens = static_cast<double>(n);
  return 2.0 * 4.0 * tokens * d * d      // q, k, v, out projections
         + 2.0 * 2.0 * tokens * e * d    // phi(K)^T V (E,E) per head, and phi(Q) times it
         + 2.0 * tokens * d;             // normaliser phi(Q) (phi(K)^T 1)
}

ModelEntry linear_transformer_model() {
  return {"linear-transformer", "kernelised attention, phi(x) = elu(x) + 1 (Katharopoulos et al. 2020)",
          build_linear_transformer, linear_attention_flops, [](const ModelConfig& m) {
            return transformer_block_model_parameters(m, 4 * linear_parameters(m.d_model, m.d_model));
          },
          {}, {}};  // every parameter gets a gradient; configured by configs/models/linear-transformer.json
}

}  // namespace lra
