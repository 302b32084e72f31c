#pragma once
// Autocast switches for one device type, over the two libtorch APIs: 1.13 (Debian) has one function per
// device (set_enabled = CUDA, set_cpu_enabled, set_autocast_gpu_dtype, ...); 2.4 and later take the
// device type (set_autocast_enabled(kCUDA, ...)) and deprecate, then drop, the old names.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace lra::autocast {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
inline bool enabled(at::DeviceType type) { return at::autocast::is_autocast_enabled(type); }
inline void set_enabled(at::DeviceType type, bool on) { at::autocast::set_autocast_enabled(type, on); }
inline void set_dtype(at::DeviceType type, at::ScalarType dtype) { at::autocast::set_autocast_dtype(type, dtype); }
#else
inline bool enabled(at::DeviceType type) {
  return type == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
}
inline void set_enabled(at::DeviceType type, bool on) {
  if (type == at::kCPU) at::autocast::set_cpu_enabled(on);
  else at::autocast::set_enabled(on);
}
inline void set_dtype(at::DeviceType type, at::ScalarType dtype) {
  if (type == at::kCPU) at::autocast::set_autocast_cpu_dtype(dtype);
  else at::autocast::set_autocast_gpu_dtype(dtype);
}
#endif

}  // namespace lra::autocast
