#include "core/batch.h"

#include <torch/torch.h>

namespace lra {

Batch Batch::to(const torch::Device& device) const {
  Batch moved = *this;
  moved.tokens = tokens.to(device);
  moved.mask = mask.to(device);
  if (tokens2.defined()) moved.tokens2 = tokens2.to(device), moved.mask2 = mask2.to(device);
  moved.labels = labels.to(device);
  return moved;
}

Batch random_batch(const TaskInfo& task, int64_t batch_size, int64_t n, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  auto random_doc = [&](torch::Tensor& tokens, torch::Tensor& mask) {
    tokens = torch::randint(1, task.mask_id(), {batch_size, n}, generator, torch::kInt64);
    tokens.select(1, 0).fill_(task.cls_id());
    mask = torch::ones({batch_size, n}, torch::kBool);
  };
  Batch batch;
  random_doc(batch.tokens, batch.mask);
  if (task.pair) random_doc(batch.tokens2, batch.mask2);
  batch.labels = torch::randint(0, task.classes, {batch_size}, generator, torch::kInt64);
  batch.real_tokens = batch_size * n * (task.pair ? 2 : 1);
  return batch;
}

}  // namespace lra
