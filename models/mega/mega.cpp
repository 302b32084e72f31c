#include "models/mega/mega.h"

#include <cmath>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/padding.h>

#include "core/errors.h"
#include "models/classifier.h"
#include "models/dropout.h"
#include "models/parameter_count.h"
#include "models/registry.h"

namespace lra {

namespace F = torch::nn::functional;

namespace {

// The official init of every Mega linear: N(0, 0.02) weights, zero bias.
torch::nn::Linear normal_linear(torch::nn::Module& parent, const char* name, int64_t in, int64_t out) {
  auto linear = parent.register_module(name, torch::nn::Linear(in, out));
  torch::NoGradGuard no_grad;
  linear->weight.normal_(0.0, 0.02);
  linear->bias.zero_();
  return linear;
}

}  // namespace

torch::Tensor relative_position_bias(const torch::Tensor& table, int64_t length) {
  const int64_t m = (table.size(0) + 1) / 2;
  TORCH_CHECK(length <= m, "mega: ", length, " positions exceed the relative position table's ", m);
  const auto i = torch::arange(length, table.options().dtype(torch::kLong));
  return table.index({(m - 1) + i.unsqueeze(0) - i.unsqueeze(1)});  // (length,length): [i][j] = table[M-1+j-i]
}

torch::Tensor laplace_attention_function(const torch::Tensor& scores) {
  const double mu = std::sqrt(0.5), sigma = std::sqrt(0.25 / M_PI);
  return 0.5 * (1.0 + torch::erf((scores - mu) / (sigma * std::sqrt(2.0))));
}

MegaLayerImpl::MegaLayerImpl(const MegaOptions& options_) : options(options_) {
  const int64_t d = options.d_model(), z = options.z_dim(), e = options.hidden_dim();
  TORCH_CHECK(options.attention_function() == "softmax" || options.attention_function() == "laplace",
              "mega: attention_function must be softmax or laplace");
  norm = register_module("norm", SequenceNorm(options.norm_type(), d));
  move = register_module("move", MultiHeadEma(MultiHeadEmaOptions(d, options.n_dim())
                                                   .bidirectional(options.bidirectional())
                                                   .truncation(options.truncation())));
  v_proj = normal_linear(*this, "v_proj", d, e);
  mx_proj = normal_linear(*this, "mx_proj", d, d + z + e + d);
  h_proj = normal_linear(*this, "h_proj", e, d);
  gamma = register_parameter("gamma", torch::randn({2, z}) * 0.02);
  beta = register_parameter("beta", torch::zeros({2, z}));
  const int64_t positions = options.chunk_size() > 0 ? options.chunk_size() : options.max_len();
  rel_pos_bias = register_parameter("rel_pos_bias", torch::randn({2 * positions - 1}) * 0.02);
}

torch::Tensor MegaLayerImpl::attend(torch::Tensor q, torch::Tensor k, torch::Tensor v, torch::Tensor mask) {
  const int64_t b = q.size(0), length = q.size(1);
  int64_t c = length;  // one chunk unless the sequence is longer than a chunk
  if (options.chunk_size() > 0 && length > options.chunk_size()) {
    c = options.chunk_size();
    const int64_t padded = (length + c - 1) / c * c;  // the last chunk filled with padding
    if (padded > length) {
      const F::PadFuncOptions pad({0, 0, 0, padded - length});
      q = F::pad(q, pad), k = F::pad(k, pad), v = F::pad(v, pad);
      mask = F::pad(mask, F::PadFuncOptions({0, padded - length}));
    }
  }
  const int64_t chunks = q.size(1) / c;
  q = q.reshape({b, chunks, c, -1}), k = k.reshape({b, chunks, c, -1}), v = v.reshape({b, chunks, c, -1});
  const auto key_mask = mask.reshape({b, chunks, 1, c});                       // (B,K,1,C) true at real keys
  const auto bias = relative_position_bias(rel_pos_bias, c);                   // (C,C)
  torch::Tensor weights;                                                        // (B,K,C,C)
  if (options.attention_function() == "softmax") {
    auto scores = torch::matmul(q * (1.0 / std::sqrt(static_cast<double>(options.z_dim()))), k.transpose(2, 3)) + bias;
    // A chunk of padding only keeps its scores (its outputs are padding too), so no row is all -inf.
    const auto empty_chunk = key_mask.logical_not().all(-1, /*keepdim=*/true);  // (B,K,1,1)
    scores = scores.masked_fill(key_mask.logical_not().logical_and(empty_chunk.logical_not()),
                                -std::numeric_limits<float>::infinity());
    weights = torch::softmax(scores, -1);
  } else {
    // laplace: scores scaled by the number of real keys of the chunk, padded keys weigh 0
    const auto keep = key_mask.to(q.dtype());
    const auto lengths = keep.sum(-1, /*keepdim=*/true).clamp_min(1.0);         // (B,K,1,1)
    weights = laplace_attention_function(torch::matmul(q, k.transpose(2, 3)) / lengths + bias) * keep;
  }
  const bool train = is_training();
  v = lra::dropout(v, options.hidden_dropout(), train);
  weights = lra::dropout(weights, options.attention_dropout(), train);
  return torch::matmul(weights, v).reshape({b, chunks * c, -1}).narrow(1, 0, length);  // (B,L,E)
}

torch::Tensor MegaLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t d = options.d_model(), z = options.z_dim(), e = options.hidden_dim();
  const bool train = is_training();
  const auto residual = x;
  const auto xn = options.pre_norm() ? norm(x) : x;
  const auto v = F::silu(v_proj(xn));                                          // (B,L,E)
  const auto m = lra::dropout(move(xn, mask), options.dropout(), train);       // (B,L,D)
  const auto base = mx_proj(m).split_with_sizes({d, z + e, d}, -1);            // u | z r | hx
  const auto u = torch::sigmoid(base[0]);                                      // (B,L,D) update gate
  const auto zr = F::silu(base[1]).split_with_sizes({z, e}, -1);
  const auto zq = zr[0].unsqueeze(2) * gamma + beta;                           // (B,L,2,Z)
  const auto r = zr[1];                                                        // (B,L,E) reset gate
  const auto attended = attend(zq.select(2, 0), zq.select(2, 1), v, mask);     // (B,L,E)
  auto h = F::silu(base[2] + h_proj(attended * r));                            // (B,L,D)
  h = lra::dropout(h, options.dropout(), train);
  auto out = torch::addcmul(residual, u, h - residual);                        // x + u (h - x)
  return options.pre_norm() ? out : norm(out);
}

NormalizedFeedForwardImpl::NormalizedFeedForwardImpl(const MegaOptions& options_) : options(options_) {
  norm = register_module("norm", SequenceNorm(options.norm_type(), options.d_model()));
  fc1 = normal_linear(*this, "fc1", options.d_model(), options.ffn_dim());
  fc2 = normal_linear(*this, "fc2", options.ffn_dim(), options.d_model());
}

torch::Tensor NormalizedFeedForwardImpl::forward(const torch::Tensor& x) {
  const bool train = is_training();
  auto y = F::silu(fc1(options.pre_norm() ? norm(x) : x));
  y = lra::dropout(fc2(lra::dropout(y, options.hidden_dropout(), train)), options.dropout(), train);
  y = y + x;
  return options.pre_norm() ? y : norm(y);
}

MegaBlockImpl::MegaBlockImpl(const MegaOptions& options) {
  mega_layer = register_module("mega_layer", MegaLayer(options));
  if (options.ffn_dim() > 0) nffn = register_module("nffn", NormalizedFeedForward(options));
}

EncoderState MegaBlockImpl::forward(const EncoderState& state) {
  EncoderState out = state;
  out.x = mega_layer(state.x, state.x_mask);
  if (nffn) out.x = nffn(out.x);
  return out;
}

namespace {

const std::vector<std::string> kMegaKeys = {"z_dim",    "hidden_dim", "n_dim",      "chunk_size",
                                            "truncation", "attention_function", "bidirectional"};

MegaOptions mega_options(const ModelConfig& model) {
  const AttentionKeys keys(model, kMegaKeys);
  const int64_t hidden = keys.get_int("hidden_dim", 0);
  return MegaOptions(model.d_model, model.task.max_len)
      .z_dim(keys.get_int("z_dim", 64))
      .hidden_dim(hidden > 0 ? hidden : 2 * model.d_model)
      .n_dim(keys.get_int("n_dim", 16))
      .chunk_size(keys.get_int("chunk_size", 0))
      .truncation(keys.get_int("truncation", 0))
      .attention_function(keys.get_string("attention_function", "softmax", {"softmax", "laplace"}))
      .bidirectional(keys.get_bool("bidirectional", true))
      .ffn_dim(model.ffn_dim)
      .pre_norm(model.pre_norm)
      .norm_type(model.norm_type)
      .dropout(model.dropout)
      .attention_dropout(model.attention_dropout)
      .hidden_dropout(model.act_dropout);
}

ClassifierModel build_mega(const nlohmann::json& config) {
  const auto model = model_config_from(config);
  const auto options = mega_options(model);
  return make_classifier(model, [options] { return std::make_shared<MegaBlockImpl>(options); });
}

int64_t mega_parameters(const ModelConfig& m) {
  const auto o = mega_options(m);
  const int64_t d = m.d_model, z = o.z_dim(), e = o.hidden_dim(), j = o.n_dim(), cd = (o.bidirectional() ? 2 : 1) * d;
  const int64_t positions = o.chunk_size() > 0 ? o.chunk_size() : o.max_len();
  const int64_t ema = 4 * cd * j + d;  // delta, alpha, beta, gamma; omega
  const int64_t layer = norm_parameters(m.norm_type, d) + ema + linear_parameters(d, e) +
                        linear_parameters(d, d + z + e + d) + linear_parameters(e, d) + 4 * z + 2 * positions - 1;
  const int64_t ffn = o.ffn_dim() > 0 ? norm_parameters(m.norm_type, d) + feed_forward_parameters(m) : 0;
  return shared_parameters(m) + distinct_blocks(m) * (layer + ffn);
}

ModelEntry mega_entry(std::string name, std::string description) {
  ModelEntry entry{std::move(name), std::move(description), build_mega, mega_attention_flops, mega_parameters,
                   {}, nullptr, true, {}};
  // The FFN sublayer (fc1, fc2 over model.ffn_dim) is what forward_flops counts; 0 leaves it out.
  return entry;
}

}  // namespace

double mega_attention_flops(const ModelConfig& m, int64_t n) {
  // Matrix-product FLOPs (models/flops.h): v, mx and h projections; q k^T and A v within chunks of c
  // tokens; plus the EMA's two real FFTs of length 2n per channel (~2.5 * 2n * log2(2n) each). The
  // kernel (a Vandermonde product) is made once per batch and left out.
  const auto o = mega_options(m);
  const double d = static_cast<double>(m.d_model), z = static_cast<double>(o.z_dim()),
               e = static_cast<double>(o.hidden_dim()), len = static_cast<double>(n);
  const double c = static_cast<double>(o.chunk_size() > 0 ? std::min<int64_t>(o.chunk_size(), n) : n);
  const double projections = 2.0 * len * (d * e + d * (d + z + e + d) + e * d);
  const double attention = 2.0 * len * c * (z + e);
  const double ffts = 2.0 * d * 2.5 * 2.0 * len * std::log2(std::max(2.0, 2.0 * len));
  return projections + attention + ffts;
}

ModelEntry mega_model() {
  ModelEntry entry =
      mega_entry("mega", "Mega: damped EMA + single-head gated attention over the whole sequence (Ma et al. 2023)");
  entry.default_table = true;
  return entry;
}

ModelEntry mega_chunk_model() {
  return mega_entry("mega-chunk",
                    "Mega with attention within chunks of chunk_size tokens: linear in length (Ma et al. 2023)");
}

}  // namespace lra
