#pragma once
// What `lra data check` prints about loaded splits: examples, label balance and a length histogram.
#include <cstdint>
#include <string>

#include "tasks/dataset.h"

namespace lra {

// Several lines per split. max_document_tokens: the cut applied at load (documents at it may be longer
// on disk).
std::string describe_splits(const TaskSplits& splits, int64_t classes, int64_t max_document_tokens);

}  // namespace lra
