#include "models/attention/luna.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "models/attention/dot_product_attention.h"
#include "models/attention/heads.h"
#include "models/attention/projections.h"
#include "models/classifier.h"
#include "models/dropout.h"
#include "models/init.h"
#include "models/parameter_count.h"

namespace lra {

namespace {

torch::nn::Linear add_projection(torch::nn::Module& parent, const std::string& name, int64_t d, double gain) {
  auto linear = parent.register_module(name, torch::nn::Linear(d, d));
  xavier_uniform(linear->weight, gain);
  return linear;
}

}  // namespace

LunaAttentionImpl::LunaAttentionImpl(const LunaOptions& options_) : options(options_) {
  const auto d = options.d_model();
  TORCH_CHECK(d % options.heads() == 0, "luna: d_model ", d, " % heads ", options.heads(), " != 0");
  const double gain = 1.0 / std::sqrt(2.0);  // q/k/v-type projections (luna.md, Init)
  pq_proj = add_projection(*this, "pq_proj", d, gain);
  if (options.tie_kv()) {
    pc_proj = add_projection(*this, "pc_proj", d, gain);
  } else {
    pk_proj = add_projection(*this, "pk_proj", d, gain);
    pv_proj = add_projection(*this, "pv_proj", d, gain);
  }
  q_proj = add_projection(*this, "q_proj", d, gain);
  if (options.tie_kv()) {
    c_proj = add_projection(*this, "c_proj", d, gain);
  } else {
    k_proj = add_projection(*this, "k_proj", d, gain);
    v_proj = add_projection(*this, "v_proj", d, gain);
  }
  out_proj = add_projection(*this, "out_proj", d, /*gain=*/1.0);
  torch::NoGradGuard no_grad;
  out_proj->bias.zero_();
}

LunaAttentionOut LunaAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& x_mask,
                                            const torch::Tensor& p, const torch::Tensor& p_mask) {
  const auto h = options.heads();
  const double scaling = 1.0 / std::sqrt(static_cast<double>(options.d_model() / h));
  const double drop = options.attention_dropout();
  const bool train = is_training();
  // Pack: P attends over X; softmax over N; no output projection.
  // Everything X feeds (pack key/value, unpack query) in one projection call.
  const auto from_x = options.tie_kv() ? project(x, {pc_proj, q_proj}, {1.0, scaling})
                                       : project(x, {pk_proj, pv_proj, q_proj}, {1.0, 1.0, scaling});
  const auto qp = split_heads(pq_proj(p), h) * scaling;                            // (B,H,L,E)
  const auto kp = split_heads(from_x[0], h);                                       // (B,H,N,E)
  const auto vp = options.tie_kv() ? kp : split_heads(from_x[1], h);               // (B,H,N,E)
  // Both softmaxes run in fp32 under fp16/bf16 (fairseq's utils.softmax; luna.md gotcha 10).
  const auto attend = [&](const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& value,
                          const torch::Tensor& keep) {
    return dot_product_attention(query, key, value, keep, drop, train, options.recompute());
  };
  const auto cp = merge_heads(attend(qp, kp, vp, x_mask));          // (B,L,D), probs (B,H,L,N)
  // Unpack: X attends over Cp; softmax over L; output projection.
  const auto q = split_heads(from_x.back(), h);                                    // (B,H,N,E), scaled
  const auto from_cp = options.tie_kv() ? project(cp, {c_proj}) : project(cp, {k_proj, v_proj});
  const auto k = split_heads(from_cp[0], h);                                       // (B,H,L,E)
  const auto v = options.tie_kv() ? k : split_heads(from_cp[1], h);                // (B,H,L,E)
  const auto y = out_proj(merge_heads(attend(q, k, v, p_mask)));     // (B,N,D), probs (B,H,N,L)
  return {y, cp};
}

LunaBlockImpl::LunaBlockImpl(const LunaBlockOptions& options_) : options(options_) {
  const auto d = options.attention().d_model();
  attn = register_module("attn", LunaAttention(options.attention()));
  attn_layer_norm = register_module("attn_layer_norm", SequenceNorm(options.norm_type(), d));
  p_layer_norm = register_module("p_layer_norm", SequenceNorm(options.norm_type(), d));
  ffn = register_module("ffn", FeedForward(d, options.ffn_dim(), options.act_dropout()));
  ffn_layer_norm = register_module("ffn_layer_norm", SequenceNorm(options.norm_type(), d));
}

EncoderState LunaBlockImpl::forward(const EncoderState& state) {
  TORCH_CHECK(state.p.defined(), "luna block: the encoder state has no P stream (no LunaProjection?)");
  const bool train = is_training();
  const double drop = options.dropout();
  EncoderState out = state;
  if (options.pre_norm()) {
    const auto a = attn(attn_layer_norm(state.x), state.x_mask, p_layer_norm(state.p), state.p_mask);
    out.x = state.x + lra::dropout(a.y, drop, train);                          // (B,N,D)
    out.p = state.p + lra::dropout(a.cp, drop, train);                         // (B,L,D)
    out.x = out.x + lra::dropout(ffn(ffn_layer_norm(out.x)), drop, train);
  } else {
    const auto a = attn(state.x, state.x_mask, state.p, state.p_mask);
    out.x = attn_layer_norm(state.x + lra::dropout(a.y, drop, train));        // (B,N,D)
    out.p = p_layer_norm(state.p + lra::dropout(a.cp, drop, train));          // (B,L,D)
    out.x = ffn_layer_norm(out.x + lra::dropout(ffn(out.x), drop, train));
  }
  return out;
}

LunaProjectionImpl::LunaProjectionImpl(const LunaOptions& options_, bool with_layer_norm, double dropout,
                                       const std::string& norm_type)
    : options(options_), dropout_(dropout) {
  projected_embeddings =
      register_parameter("projected_embeddings", torch::empty({options.proj_len(), options.d_model()}));
  embedding_normal(projected_embeddings);  // N(0, D^-1/2)
  if (with_layer_norm) layer_norm = register_module("layer_norm", SequenceNorm(norm_type, options.d_model()));
}

EncoderState LunaProjectionImpl::forward(const EncoderState& state) {
  const auto b = state.x.size(0);
  EncoderState out = state;
  int64_t l = options.proj_len();
  torch::Tensor lengths;
  if (options.dynamic_projection()) {
    lengths = state.x_mask.sum(1);                                   // (B) real tokens incl. CLS
    l = std::min(l, lengths.max().item<int64_t>());                  // longest real sample (host sync)
  }
  auto p = projected_embeddings.narrow(0, 0, l);                     // (L,D)
  if (layer_norm) p = layer_norm(p);                                 // same for every sample
  p = p.unsqueeze(0).expand({b, l, options.d_model()});             // (B,L,D)
  p = lra::dropout(p, dropout_, is_training());
  if (options.dynamic_projection()) {
    out.p_mask = torch::arange(l, lengths.options()).unsqueeze(0) < lengths.unsqueeze(1);  // (B,L)
    p = p * out.p_mask.unsqueeze(-1).to(p.dtype());                 // zero at masked slots
  }
  out.p = p;
  return out;
}

ClassifierModel build_luna(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const AttentionKeys keys(model, {"proj_len", "tie_kv", "dynamic_projection", "recompute"});
  const auto attention = LunaOptions(model.d_model, model.heads, keys.get_int("proj_len", -1))
                             .tie_kv(keys.get_bool("tie_kv", false))
                             .dynamic_projection(keys.get_bool("dynamic_projection", true))
                             .recompute(keys.get_bool("recompute", false))
                             .attention_dropout(model.attention_dropout);
  if (attention.proj_len() < 1)
    throw UserError("model.attention.proj_len must be set to a value >= 1 for model '" + model.name + "'");
  const auto block = LunaBlockOptions(attention, model.ffn_dim)
                         .dropout(model.dropout)
                         .act_dropout(model.act_dropout)
                         .pre_norm(model.pre_norm)
                         .norm_type(model.norm_type);
  auto projection =
      std::make_shared<LunaProjectionImpl>(attention, model.embedding_layer_norm, model.dropout, model.norm_type);
  return make_classifier(model, [block] { return std::make_shared<LunaBlockImpl>(block); }, projection);
}

}  // namespace lra

namespace lra {

double luna_attention_flops(const ModelConfig& model, int64_t n) {
  // Dynamic projection uses min(proj_len, n) slots of P.
  const double l = static_cast<double>(std::min<int64_t>(model.attention.at("proj_len").get<int64_t>(), n));
  const double d = static_cast<double>(model.d_model), tokens = static_cast<double>(n);
  const double projections = 2.0 * d * d * (4.0 * tokens + 3.0 * l);  // pk pv q out on X; pq on P; k v on Cp
  const double pack = 2.0 * 2.0 * l * tokens * d;                     // scores (L,N) + context (L,E)
  const double unpack = 2.0 * 2.0 * tokens * l * d;                   // scores (N,L) + context (N,E)
  return projections + pack + unpack;
}

ModelEntry luna_model(int64_t proj_len) {
  const std::string slots = std::to_string(proj_len);
  ModelEntry entry{"luna-" + slots, "Luna, pack/unpack attention through a " + slots + "-slot learned P (Ma et al. 2021)",
          build_luna, luna_attention_flops, [](const ModelConfig& m) {
            const int64_t d = m.d_model, norm = norm_parameters(m.norm_type, d);
            const int64_t projections = m.attention.value("tie_kv", false) ? 5 : 7;  // tie_kv shares pack's K and V
            const int64_t block = projections * linear_parameters(d, d) + 3 * norm + feed_forward_parameters(m);
            const int64_t p = m.attention.at("proj_len").get<int64_t>() * d + (m.embedding_layer_norm ? norm : 0);
            return shared_parameters(m) + p + distinct_blocks(m) * block;  // P and its LayerNorm
          },
          [](const ModelConfig& m) -> std::set<std::string> {
            // Post-LN: the last block's P' is never read (pooling reads X), so that block's P LayerNorm
            // gets no gradient; a tied block applied more than once feeds its own next application.
            if (m.pre_norm || (m.tie_layer_weights && m.layers > 1)) return {};
            const auto last = "encoder.blocks." + std::to_string(distinct_blocks(m) - 1) + ".p_layer_norm.";
            if (m.norm_type == "scalenorm") return {last + "scalar"};
            return {last + "weight", last + "bias"};
          },
          {}};  // configured by configs/models/luna-<proj_len>.json
  entry.default_table = true;
  return entry;
}

}  // namespace lra
