#pragma once
// Encoder -> pooling -> head, for single-document and pair (Retrieval) tasks. Every registered model
// is a SequenceClassifier; variants differ only in the blocks (and extra stream) of the encoder.
// Legend: B batch, N tokens, D model, C classes, K classifier_dim, I head input (D, 2D or 4D).
#include <memory>
#include <utility>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "models/encoder.h"
#include "models/model.h"
#include "models/model_config.h"

namespace lra {

// x (B,N,D), mask (B,N) bool -> (B,D): "cls" takes x[:,0]; "mean" averages the real tokens only
// (the masked mean; luna.md gotcha 11).
torch::Tensor pool(const torch::Tensor& x, const torch::Tensor& mask, const std::string& pooling);

// Pair features of Retrieval: u = doc0 (tokens), v = doc1 (tokens2), each (B,D).
// "concat" -> [v; u] (B,2D) (the Luna code); "lra4" -> [u, v, u*v, u-v] (B,4D) (the LRA paper).
torch::Tensor pair_features(const torch::Tensor& u, const torch::Tensor& v, const std::string& kind);

// Both documents of a pair batch as one (2B,N) batch (tokens, mask), padded to the longer width:
// rows 0..B-1 are tokens/mask, rows B..2B-1 tokens2/mask2. A single-document batch is returned as is.
std::pair<torch::Tensor, torch::Tensor> stacked_documents(const Batch& batch);

// Linear(I -> K) [-> dropout] -> ReLU or GELU -> Linear(K -> C, no bias).
class ClassifierHeadImpl : public torch::nn::Module {
 public:
  ClassifierHeadImpl(int64_t in_dim, int64_t hidden_dim, int64_t classes, std::string activation = "relu",
                     double dropout = 0.0);
  torch::Tensor forward(const torch::Tensor& features);  // (B,I) -> (B,C)
  torch::nn::Linear dense{nullptr};     // (K,I) + bias
  torch::nn::Linear out_proj{nullptr};  // (C,K)

 private:
  std::string activation_;
  double dropout_;
};
TORCH_MODULE(ClassifierHead);

class SequenceClassifierImpl : public ClassifierModelImpl {
 public:
  SequenceClassifierImpl(const ModelConfig& model, Encoder encoder);
  torch::Tensor forward(const Batch& batch) override;  // (B,C)
  Encoder encoder_module() override { return encoder; }

  // The pooled encoding of one document batch: tokens (B,N), mask (B,N) -> (B,D).
  torch::Tensor encode(const torch::Tensor& tokens, const torch::Tensor& mask);

  Encoder encoder{nullptr};     // "encoder"
  ClassifierHead head{nullptr}; // "head"

 private:
  std::string pooling_;
  bool pair_;
  std::string pair_features_;
};
TORCH_MODULE(SequenceClassifier);

// The whole model of one variant: an Encoder from `model` whose blocks come from make_block (and whose
// P stream, if any, from extra_stream), pooling and head from the task; then model.bert_init.
ClassifierModel make_classifier(const ModelConfig& model, const BlockFactory& make_block,
                                std::shared_ptr<ExtraStreamImpl> extra_stream = nullptr);

}  // namespace lra
