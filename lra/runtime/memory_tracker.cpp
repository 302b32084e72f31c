#include "lra/runtime/memory_tracker.h"

#include <fstream>
#include <string>

#ifdef LRA_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace lra {

void TensorMemoryTracker::reportMemoryUsage(void* /*ptr*/, int64_t alloc_size, Total /*total_allocated*/,
                                            Total /*total_reserved*/, c10::Device device) {
  if (!device.is_cpu()) return;
  int64_t now = current_.fetch_add(alloc_size) + alloc_size;
  int64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
}

ScopedMemoryTracking::ScopedMemoryTracking()
    : tracker_(std::make_shared<TensorMemoryTracker>()), guard_(c10::DebugInfoKind::PROFILER_STATE, tracker_) {}

namespace {
int64_t status_field_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  return 0;
}
}  // namespace

int64_t peak_rss_bytes() { return status_field_kib("VmHWM") * 1024; }
int64_t current_rss_bytes() { return status_field_kib("VmRSS") * 1024; }

void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

#ifdef LRA_WITH_CUDA
int64_t cuda_peak_allocated_bytes(int device_index) {
  // Index 0 is StatType::AGGREGATE (all pools); the enum moved namespaces in libtorch 2.x, the index did not.
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device_index));
  return stats.allocated_bytes[0].peak;
}
void cuda_reset_peak(int device_index) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device_index));
}
#else
int64_t cuda_peak_allocated_bytes(int) { return 0; }
void cuda_reset_peak(int) {}
#endif

}  // namespace lra
