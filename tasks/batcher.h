#pragma once
// Examples -> padded int64 tensors + padding masks. Every document gets the CLS id prepended and is
// truncated to max_len tokens (CLS included). Legend: B batch, N tokens (longest in the batch when
// trimming, else max_len).
#include <cstdint>
#include <vector>

#include "core/batch.h"
#include "core/task_info.h"
#include "tasks/dataset.h"

namespace lra {

// Builds the batch of `examples` (indices into data). trim: pad to the longest document of the batch
// (else to max_len).
Batch make_batch(const Dataset& data, const std::vector<int64_t>& examples, const TaskInfo& task, bool trim);

}  // namespace lra
