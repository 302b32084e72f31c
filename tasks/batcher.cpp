#include "tasks/batcher.h"

#include <algorithm>

#include <torch/torch.h>

namespace lra {

namespace {

// Fills (tokens, mask) for document `doc_slot` (0 or 1) of every example.
void fill_documents(const Dataset& data, const std::vector<int64_t>& examples, const TaskInfo& task, bool trim,
                    int doc_slot, torch::Tensor& tokens, torch::Tensor& mask, int64_t& real_tokens) {
  const int64_t batch = static_cast<int64_t>(examples.size());
  auto doc_of = [&](int64_t example) { return static_cast<size_t>(example * data.docs_per_example + doc_slot); };
  int64_t width = task.max_len;
  if (trim) {
    width = 1;
    for (int64_t e : examples) width = std::max(width, std::min(task.max_len, 1 + data.document_length(doc_of(e))));
  }
  tokens = torch::zeros({batch, width}, torch::kInt64);
  mask = torch::zeros({batch, width}, torch::kBool);
  auto t = tokens.accessor<int64_t, 2>();
  auto m = mask.accessor<bool, 2>();
  for (int64_t b = 0; b < batch; ++b) {
    const size_t d = doc_of(examples[static_cast<size_t>(b)]);
    const uint16_t* src = data.document(d);
    const int64_t length = std::min(width - 1, data.document_length(d));
    t[b][0] = task.cls_id();
    m[b][0] = true;
    for (int64_t i = 0; i < length; ++i) {
      t[b][i + 1] = src[i];
      m[b][i + 1] = true;
    }
    real_tokens += length + 1;
  }
}

}  // namespace

Batch make_batch(const Dataset& data, const std::vector<int64_t>& examples, const TaskInfo& task, bool trim) {
  Batch batch;
  fill_documents(data, examples, task, trim, 0, batch.tokens, batch.mask, batch.real_tokens);
  if (data.docs_per_example == 2)
    fill_documents(data, examples, task, trim, 1, batch.tokens2, batch.mask2, batch.real_tokens);
  batch.labels = torch::empty({static_cast<int64_t>(examples.size())}, torch::kInt64);
  auto l = batch.labels.accessor<int64_t, 1>();
  for (size_t b = 0; b < examples.size(); ++b) l[static_cast<int64_t>(b)] = data.labels[static_cast<size_t>(examples[b])];
  return batch;
}

}  // namespace lra
