#pragma once
// What a run optimises. `lra train` fits the classifier to the labels (cross-entropy); `lra pretrain`
// (self-pretraining, Amos et al. 2024) fits the encoder and a token head to the masked tokens of the
// training inputs (models/masked_tokens.h). The Trainer's loop, checkpoints, resume, timing, memory and
// c10d are the same for both; only the objective's step, what it optimises and what it reads differ.
#include <memory>
#include <string>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "core/batch.h"
#include "lra/config/config.h"
#include "models/model.h"
#include "tasks/dataset.h"

namespace lra {

struct StepResult {
  torch::Tensor loss;   // scalar, for backward
  int64_t correct = 0;  // predictions equal to their target
  int64_t counted = 0;  // predictions made: examples (classification) or masked tokens (denoising)
};

class Objective {
 public:
  virtual ~Objective() = default;
  virtual std::string name() const = 0;  // "classification" | "masked_tokens" (config["objective"])
  // The module whose parameters are optimised and whose state dict the checkpoints hold.
  virtual torch::nn::Module& module() = 0;
  // Forward and loss of one batch already on the run's device. `stream` names this micro-batch on this
  // rank (the same on a resume, different on every rank): objectives that draw random numbers draw
  // them from a generator seeded by it, never from the global one.
  virtual StepResult step(const Batch& batch, uint64_t stream) = 0;
  // Whether the run validates and tests the classifier (classification) or never reads val/test (denoising).
  virtual bool evaluates() const = 0;
  SplitsToRead splits() const { return evaluates() ? SplitsToRead::all : SplitsToRead::train_only; }
};

// The objective the resolved config names (config["objective"], "classification" when absent), around
// `classifier` (denoising trains its encoder and a new token head, on the same device).
std::unique_ptr<Objective> make_objective(const Json& config, ClassifierModel classifier);

}  // namespace lra
