#pragma once
// Device selection, synchronisation for honest timing, and mixed precision. CUDA code compiles only
// when the libtorch found has CUDA (LRA_WITH_CUDA); a CPU-only build says how to get a CUDA one.
#include <memory>
#include <string>

#include <torch/types.h>

namespace lra {

// "cpu", "cuda" or "cuda:N". UserError when CUDA is asked for but not available.
torch::Device parse_device(const std::string& name);

// Waits for queued device work (a no-op on CPU), so wall-clock timings cover the work.
void synchronize(const torch::Device& device);

// Enables autocast for its lifetime: fp16/bf16 on CUDA, bf16 on CPU ("fp32": nothing). UserError
// for fp16 on CPU or an unknown name.
class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, const std::string& precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool cpu_ = false, cuda_ = false;
};

// Peak tensor bytes of the device's allocator since the last reset (CUDA), or -1 on CPU.
int64_t device_peak_bytes(const torch::Device& device);
void reset_device_peak(const torch::Device& device);

}  // namespace lra
