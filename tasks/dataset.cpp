#include "tasks/dataset.h"

namespace lra {

void Dataset::truncate(size_t n) {
  if (n == 0 || n >= size()) return;
  size_t docs = n * static_cast<size_t>(docs_per_example);
  labels.resize(n);
  ids.resize(n);
  offsets.resize(docs + 1);
  tokens.resize(static_cast<size_t>(offsets.back()));
  tokens.shrink_to_fit();
}

}  // namespace lra
