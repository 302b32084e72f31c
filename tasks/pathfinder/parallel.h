#pragma once
// A small deterministic parallel loop for decoding and generating images on a few cores.
#include <cstddef>
#include <functional>

namespace lra {

// Threads to use for file-heavy work: the hardware's count, at least 1, at most 16.
int pathfinder_threads();

// Calls body(i) for every i in [0, n) on up to `threads` threads. Indices are handed out in
// increasing blocks, so when calls throw, the exception rethrown is always the one of the lowest
// failing index: errors do not depend on thread timing.
void parallel_for(size_t n, int threads, const std::function<void(size_t)>& body);

}  // namespace lra
