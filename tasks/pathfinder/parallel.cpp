#include "tasks/pathfinder/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace lra {

int pathfinder_threads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hardware, 1u, 16u));
}

void parallel_for(size_t n, int threads, const std::function<void(size_t)>& body) {
  constexpr size_t kBlock = 64;
  std::atomic<size_t> next_block{0};
  std::mutex error_mutex;
  size_t error_index = std::numeric_limits<size_t>::max();
  std::exception_ptr error;

  auto worker = [&] {
    for (;;) {
      const size_t start = next_block.fetch_add(kBlock);
      if (start >= n) return;
      {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error_index < start) return;  // an earlier index already failed
      }
      const size_t end = std::min(n, start + kBlock);
      for (size_t i = start; i < end; ++i) {
        try {
          body(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (i < error_index) {
            error_index = i;
            error = std::current_exception();
          }
          break;
        }
      }
    }
  };

  const size_t count = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), (n + kBlock - 1) / kBlock);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace lra
