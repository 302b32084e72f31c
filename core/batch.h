#pragma once
// The data <-> model contract: one batch of padded int64 token tensors with padding masks and labels
// (tasks/batcher.h builds them from a Dataset; models read them). Legend: B batch, N tokens.
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "core/task_info.h"

namespace lra {

struct Batch {
  torch::Tensor tokens;   // (B,N) int64, pad 0
  torch::Tensor mask;     // (B,N) bool, true at real tokens (CLS included)
  torch::Tensor tokens2;  // (B,N2) second document of pair tasks, undefined otherwise
  torch::Tensor mask2;    // (B,N2)
  torch::Tensor labels;   // (B) int64
  int64_t real_tokens = 0;  // non-pad tokens over both documents, for tokens/s

  int64_t size() const { return labels.size(0); }
  Batch to(const torch::Device& device) const;
};

// A random token batch of exact length n (all real tokens), for speed benchmarks.
Batch random_batch(const TaskInfo& task, int64_t batch_size, int64_t n, uint64_t seed);

}  // namespace lra
