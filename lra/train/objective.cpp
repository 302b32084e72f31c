#include "lra/train/objective.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/task_info.h"
#include "models/classifier.h"
#include "models/counter_hash.h"
#include "models/masked_tokens.h"

namespace lra {
namespace {

class Classification final : public Objective {
 public:
  explicit Classification(ClassifierModel model) : model_(std::move(model)) {}
  std::string name() const override { return "classification"; }
  torch::nn::Module& module() override { return *model_; }
  bool evaluates() const override { return true; }
  StepResult step(const Batch& batch, uint64_t /*stream*/) override {
    const auto logits = model_->forward(batch);  // (B,C)
    StepResult out;
    out.loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), batch.labels);
    out.correct = logits.argmax(1).eq(batch.labels).sum().item<int64_t>();
    out.counted = batch.size();
    return out;
  }

 private:
  ClassifierModel model_;
};

// Both documents of a pair task are denoised, each as its own sequence (the paper's Retrieval setting).
class MaskedTokenDenoising final : public Objective {
 public:
  MaskedTokenDenoising(const Json& config, const ClassifierModel& classifier)
      : task_(task_info_from_config(config)),
        rate_(config.at("pretrain").at("mask_rate").get<double>()),
        seed_(config.at("train").at("seed").get<uint64_t>()),
        model_(MaskedTokenModel(classifier->encoder_module(), task_.vocab_size)) {}
  std::string name() const override { return "masked_tokens"; }
  torch::nn::Module& module() override { return *model_; }
  bool evaluates() const override { return false; }
  StepResult step(const Batch& batch, uint64_t stream) override {
    const auto [tokens, mask] = stacked_documents(batch);  // (B',N)
    // A CPU generator of its own per micro-batch and rank, whatever the device: a resumed run draws the
    // same masks, and data-parallel ranks draw different ones.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(mix64(mix64(seed_) ^ stream));
    const auto uniform =
        at::rand(tokens.sizes(), generator, torch::TensorOptions(torch::kFloat32)).to(tokens.device());  // (B',N)
    const MaskedTokens masked = mask_tokens(tokens, mask, uniform, rate_, task_.mask_id());
    const auto logits = model_->forward(masked.inputs, mask, masked.chosen);  // (M,V)
    StepResult out;
    out.loss = masked_token_loss(logits, masked.targets);
    out.correct = logits.argmax(1).eq(masked.targets).sum().item<int64_t>();
    out.counted = masked.targets.numel();
    return out;
  }

 private:
  TaskInfo task_;
  double rate_;
  uint64_t seed_;
  MaskedTokenModel model_;
};

}  // namespace

std::unique_ptr<Objective> make_objective(const Json& config, ClassifierModel classifier) {
  const std::string name = config.value("objective", "classification");
  if (name == "classification") return std::make_unique<Classification>(std::move(classifier));
  if (name == "masked_tokens") return std::make_unique<MaskedTokenDenoising>(config, classifier);
  throw UserError("config objective '" + name + "' is unknown (classification, masked_tokens)");
}

}  // namespace lra
