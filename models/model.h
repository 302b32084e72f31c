#pragma once
// The interface the runner sees: a classifier from a Batch to logits. Everything inside (embedding,
// encoder blocks, pooling, head) is the model's business.
#include <memory>
#include <string>

#include <torch/nn/module.h>

#include "core/batch.h"
#include "models/encoder.h"

namespace lra {

class ClassifierModelImpl : public torch::nn::Module {
 public:
  // (B, classes) logits. Pair tasks read batch.tokens2/mask2 as well.
  virtual torch::Tensor forward(const Batch& batch) = 0;

  // The encoder (embeddings, extra stream, blocks): what self-pretraining trains and `--init-from`
  // restores. Its tensors are the state dict's "encoder." entries.
  virtual Encoder encoder_module() = 0;
};

using ClassifierModel = std::shared_ptr<ClassifierModelImpl>;

}  // namespace lra
