#pragma once
// Examples -> padded int64 tensors + padding masks. Every document gets the CLS id prepended and is
// truncated to max_len tokens (CLS included). Legend: B batch, N tokens (longest in the batch when
// trimming, else max_len).
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "tasks/dataset.h"
#include "tasks/task_info.h"

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

// Builds the batch of `examples` (indices into data). trim: pad to the longest document of the batch
// (else to max_len).
Batch make_batch(const Dataset& data, const std::vector<int64_t>& examples, const TaskInfo& task, bool trim);

// A random token batch of exact length n (all real tokens), for speed benchmarks.
Batch random_batch(const TaskInfo& task, int64_t batch_size, int64_t n, uint64_t seed);

}  // namespace lra
