#pragma once
// Exact peak tensor memory. CPU: c10's memory-reporting hook sees every CPU tensor allocation and
// free (+size / -size) on the threads where the tracker is installed; it also propagates into
// autograd's backward. CUDA: the caching allocator's peak statistics. Also the process's peak RSS.
#include <atomic>
#include <cstdint>
#include <memory>

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <torch/version.h>

namespace lra {

class TensorMemoryTracker : public c10::MemoryReportingInfoBase {
 public:
  // libtorch 2.x changed the two totals from int64_t to size_t.
#if TORCH_VERSION_MAJOR >= 2
  using Total = size_t;
#else
  using Total = int64_t;
#endif
  void reportMemoryUsage(void* ptr, int64_t alloc_size, Total total_allocated, Total total_reserved,
                         c10::Device device) override;
  bool memoryProfilingEnabled() const override { return true; }

  int64_t current_bytes() const { return current_.load(); }
  int64_t peak_bytes() const { return peak_.load(); }
  void reset_peak() { peak_.store(current_.load()); }

 private:
  std::atomic<int64_t> current_{0};
  std::atomic<int64_t> peak_{0};
};

// Installs a tracker on the current thread for the guard's lifetime. Tensors allocated before the
// guard and freed during it count negative, so measure deltas (peak - baseline) or reset_peak().
class ScopedMemoryTracking {
 public:
  ScopedMemoryTracking();
  TensorMemoryTracker& tracker() { return *tracker_; }

 private:
  std::shared_ptr<TensorMemoryTracker> tracker_;
  c10::DebugInfoGuard guard_;
};

// Peak resident set size of the process (VmHWM), bytes; reset_peak_rss() restarts it (Linux >= 4.0).
int64_t peak_rss_bytes();
int64_t current_rss_bytes();
void reset_peak_rss();

// CUDA allocator peak of allocated bytes on `device_index` since the last reset (0 without CUDA).
int64_t cuda_peak_allocated_bytes(int device_index);
void cuda_reset_peak(int device_index);

}  // namespace lra
