#include "lra/runtime/device.h"

#include <torch/cuda.h>

#include "core/autocast.h"
#include "core/errors.h"
#include "lra/runtime/memory_tracker.h"

namespace lra {

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name.rfind("cuda", 0) == 0) {
#ifdef LRA_WITH_CUDA
    if (!torch::cuda::is_available()) throw UserError("--device " + name + ": no CUDA device is visible");
    return torch::Device(name);
#else
    throw UserError("--device " + name +
                    ": this lra was built against a CPU-only libtorch; build a CUDA one with scripts/build_cuda.sh "
                    "(docs/several-processes-and-machines.md, \"GPU\")");
#endif
  }
  throw UserError("--device " + name + ": expected cpu, cuda or cuda:N");
}

void synchronize(const torch::Device& device) {
#ifdef LRA_WITH_CUDA
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
#else
  (void)device;
#endif
}

AutocastScope::AutocastScope(const torch::Device& device, const std::string& precision) {
  if (precision == "fp32") return;
  if (precision != "fp16" && precision != "bf16")
    throw UserError("runtime.precision: unknown precision '" + precision + "' (known: fp32, fp16, bf16)");
  if (device.is_cpu()) {
    // CPU autocast runs matmuls in bf16 (oneDNN uses AVX512-BF16 where the CPU has it).
    if (precision != "bf16") throw UserError("runtime.precision=fp16 needs --device cuda; CPU runs use fp32 or bf16");
    autocast::set_dtype(at::kCPU, at::kBFloat16);
    autocast::set_enabled(at::kCPU, true);
    cpu_ = true;
    return;
  }
#ifdef LRA_WITH_CUDA
  autocast::set_dtype(at::kCUDA, precision == "fp16" ? at::kHalf : at::kBFloat16);
  autocast::set_enabled(at::kCUDA, true);
  cuda_ = true;
#endif
}

AutocastScope::~AutocastScope() {
  if (cpu_) autocast::set_enabled(at::kCPU, false);
#ifdef LRA_WITH_CUDA
  if (cuda_) autocast::set_enabled(at::kCUDA, false);
#endif
  if (cpu_ || cuda_) at::autocast::clear_cache();
}

int64_t device_peak_bytes(const torch::Device& device) {
  return device.is_cuda() ? cuda_peak_allocated_bytes(device.index() < 0 ? 0 : device.index()) : -1;
}

void reset_device_peak(const torch::Device& device) {
  if (device.is_cuda()) cuda_reset_peak(device.index() < 0 ? 0 : device.index());
}

}  // namespace lra
