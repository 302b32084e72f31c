#pragma once
// Accuracy (and mean loss) of a model on one split: eval mode, no grad, batches sorted by length so
// little padding is computed (the models are padding-invariant, so the result does not depend on it).
#include <cstdint>
#include <string>
#include <vector>

#include "core/task_info.h"
#include "models/model.h"
#include "tasks/dataset.h"

namespace lra {

struct Prediction {
  std::string id;
  int32_t label;
  int32_t predicted;
  std::vector<float> logits;
};

struct EvalResult {
  int64_t examples = 0;
  int64_t correct = 0;
  double loss_sum = 0.0;
  double loss() const { return examples ? loss_sum / static_cast<double>(examples) : 0.0; }
  double accuracy() const { return examples ? static_cast<double>(correct) / static_cast<double>(examples) : 0.0; }
  std::vector<Prediction> predictions;  // filled only when asked for
};

// shard/shards: this process evaluates every shards-th example (data-parallel runs sum the
// counts over ranks, which gives the single-process figure).
EvalResult evaluate(ClassifierModelImpl& model, const Dataset& data, const TaskInfo& task, int64_t batch_size,
                    int64_t limit = 0, bool keep_predictions = false,
                    const torch::Device& device = torch::Device(torch::kCPU), int shard = 0, int shards = 1);

// Accuracy of always answering `label`, and the most frequent label of a split.
double constant_accuracy(const Dataset& data, int32_t label);
int32_t majority_label(const Dataset& data);

}  // namespace lra
