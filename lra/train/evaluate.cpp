#include "lra/train/evaluate.h"

#include <algorithm>
#include <map>
#include <numeric>

#include <torch/torch.h>

#include "tasks/batcher.h"

namespace lra {

EvalResult evaluate(ClassifierModelImpl& model, const Dataset& data, const TaskInfo& task, int64_t batch_size,
                    int64_t limit, bool keep_predictions, const torch::Device& device, int shard, int shards) {
  const bool was_training = model.is_training();
  model.eval();
  // Inference mode, not just no-grad: no autograd metadata or version counters on any tensor made here.
  c10::InferenceMode inference;

  int64_t n = static_cast<int64_t>(data.size());
  if (limit > 0) n = std::min(n, limit);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  auto length_of = [&](int64_t e) {
    int64_t length = 0;
    for (int d = 0; d < data.docs_per_example; ++d)
      length = std::max(length, data.document_length(static_cast<size_t>(e * data.docs_per_example + d)));
    return length;
  };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return length_of(a) < length_of(b); });
  if (shards > 1) {
    std::vector<int64_t> mine;
    for (size_t i = static_cast<size_t>(shard); i < order.size(); i += static_cast<size_t>(shards)) mine.push_back(order[i]);
    order.swap(mine);
    n = static_cast<int64_t>(order.size());
  }

  EvalResult result;
  if (keep_predictions) result.predictions.resize(data.size());
  for (int64_t start = 0; start < n; start += batch_size) {
    std::vector<int64_t> indices(order.begin() + start, order.begin() + std::min(n, start + batch_size));
    Batch batch = make_batch(data, indices, task, /*trim=*/true).to(device);
    torch::Tensor logits = model.forward(batch).to(torch::kFloat32);                    // (B,C)
    result.loss_sum += torch::nn::functional::cross_entropy(
                    logits, batch.labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    torch::Tensor predicted = logits.argmax(1);
    result.correct += predicted.eq(batch.labels).sum().item<int64_t>();
    result.examples += batch.size();
    if (keep_predictions) {
      auto cpu_logits = logits.cpu().contiguous();
      auto cpu_predicted = predicted.cpu();
      for (size_t b = 0; b < indices.size(); ++b) {
        auto e = static_cast<size_t>(indices[b]);
        const float* row = cpu_logits.data_ptr<float>() + b * static_cast<size_t>(cpu_logits.size(1));
        result.predictions[e] = {data.ids[e], data.labels[e],
                                 static_cast<int32_t>(cpu_predicted[static_cast<int64_t>(b)].item<int64_t>()),
                                 std::vector<float>(row, row + cpu_logits.size(1))};
      }
    }
  }
  model.train(was_training);
  return result;
}

double constant_accuracy(const Dataset& data, int32_t label) {
  if (data.size() == 0) return 0.0;
  return static_cast<double>(std::count(data.labels.begin(), data.labels.end(), label)) /
         static_cast<double>(data.size());
}

int32_t majority_label(const Dataset& data) {
  std::map<int32_t, int64_t> counts;
  for (int32_t l : data.labels) ++counts[l];
  int32_t best = 0;
  int64_t best_count = -1;
  for (const auto& [label, count] : counts)
    if (count > best_count) best = label, best_count = count;
  return best;
}

}  // namespace lra
