#include "models/classifier.h"

#include <algorithm>

#include "models/dropout.h"
#include "models/init.h"

namespace lra {

torch::Tensor pool(const torch::Tensor& x, const torch::Tensor& mask, const std::string& pooling) {
  if (pooling == "cls") return x.select(1, 0);  // (B,D)
  TORCH_CHECK(pooling == "mean", "pool: unknown pooling '", pooling, "'");
  const auto keep = mask.unsqueeze(-1).to(x.dtype());                 // (B,N,1)
  const auto count = keep.sum(1).clamp_min(1.0);                      // (B,1)
  return (x * keep).sum(1) / count;                                    // (B,D)
}

torch::Tensor pair_features(const torch::Tensor& u, const torch::Tensor& v, const std::string& kind) {
  if (kind == "concat") return torch::cat({v, u}, -1);                 // (B,2D)
  TORCH_CHECK(kind == "lra4", "pair_features: unknown kind '", kind, "'");
  return torch::cat({u, v, u * v, u - v}, -1);                         // (B,4D)
}

std::pair<torch::Tensor, torch::Tensor> stacked_documents(const Batch& batch) {
  if (!batch.tokens2.defined()) return {batch.tokens, batch.mask};
  TORCH_CHECK(batch.mask2.defined(), "pair batch: tokens2 without mask2");
  const auto n = std::max(batch.tokens.size(1), batch.tokens2.size(1));
  auto widen = [n](const torch::Tensor& t) { return torch::constant_pad_nd(t, {0, n - t.size(1)}, 0); };
  return {torch::cat({widen(batch.tokens), widen(batch.tokens2)}, 0),   // (2B,N)
          torch::cat({widen(batch.mask), widen(batch.mask2)}, 0)};      // (2B,N)
}

ClassifierHeadImpl::ClassifierHeadImpl(int64_t in_dim, int64_t hidden_dim, int64_t classes, std::string activation,
                                       double dropout)
    : dense(register_module("dense", torch::nn::Linear(in_dim, hidden_dim))),
      out_proj(register_module("out_proj",
                               torch::nn::Linear(torch::nn::LinearOptions(hidden_dim, classes).bias(false)))),
      activation_(std::move(activation)),
      dropout_(dropout) {}

torch::Tensor ClassifierHeadImpl::forward(const torch::Tensor& features) {
  const auto hidden = lra::dropout(dense(features), dropout_, is_training());  // (B,K)
  return out_proj(activation_ == "gelu" ? torch::gelu(hidden) : torch::relu(hidden));  // (B,C)
}

SequenceClassifierImpl::SequenceClassifierImpl(const ModelConfig& model, Encoder encoder_)
    : encoder(register_module("encoder", std::move(encoder_))),
      pooling_(model.task.pooling),
      pair_(model.task.pair),
      pair_features_(model.pair_features) {
  const int64_t in_dim = model.d_model * (!pair_ ? 1 : pair_features_ == "concat" ? 2 : 4);
  head = register_module("head", ClassifierHead(in_dim, model.classifier_dim, model.task.classes,
                                                        model.classifier_activation, model.classifier_dropout));
}

torch::Tensor SequenceClassifierImpl::encode(const torch::Tensor& tokens, const torch::Tensor& mask) {
  return pool(encoder(tokens, mask).x, mask, pooling_);  // (B,D)
}

torch::Tensor SequenceClassifierImpl::forward(const Batch& batch) {
  if (!pair_) return head(encode(batch.tokens, batch.mask));  // (B,C)
  TORCH_CHECK(batch.tokens2.defined() && batch.mask2.defined(), "pair task: the batch has no tokens2/mask2");
  // One pass over both documents (shared encoder): pad both to the longer width and stack them on the
  // batch axis. Results per document equal separate passes (padding invariance).
  const auto b = batch.tokens.size(0);
  const auto [tokens, mask] = stacked_documents(batch);                             // (2B,N) each
  const auto pooled = encode(tokens, mask);                                         // (2B,D)
  const auto u = pooled.narrow(0, 0, b), v = pooled.narrow(0, b, b);               // (B,D) each
  return head(pair_features(u, v, pair_features_));                                // (B,C)
}

ClassifierModel make_classifier(const ModelConfig& model, const BlockFactory& make_block,
                                std::shared_ptr<ExtraStreamImpl> extra_stream) {
  const auto options = EncoderOptions(model.task.vocab_size, model.task.max_len, model.d_model, model.layers)
                           .dropout(model.dropout)
                           .learned_positions(model.learned_positions)
                           .embedding_layer_norm(model.embedding_layer_norm)
                           .final_layer_norm(model.final_layer_norm)
                           .norm_type(model.norm_type)
                           .tie_layer_weights(model.tie_layer_weights);
  auto classifier = std::make_shared<SequenceClassifierImpl>(
      model, Encoder(options, make_block, std::move(extra_stream)));
  if (model.bert_init) apply_bert_init(*classifier);
  return classifier;
}

}  // namespace lra
