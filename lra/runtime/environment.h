#pragma once
// What produced a number: the environment block every run report carries, plus the process-wide
// settings that shape CPU speed (thread count) and the checks on them (BLAS).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lra/runtime/provenance.h"

namespace lra {

std::string libtorch_version();
bool cuda_available();
// The CUDA device's name for a --device cuda[:N] run ("NVIDIA H200"); "" on CPU or in a CPU-only build.
std::string gpu_name(const std::string& device);

// The BLAS library actually mapped into this process (resolved through Debian's alternatives),
// e.g. "OpenBLAS (openmp) /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3".
struct BlasInfo {
  std::string name;  // "OpenBLAS", "BLIS", "MKL", "reference BLAS", "unknown"
  std::string path;
  bool is_reference() const { return name == "reference BLAS"; }
};
BlasInfo detect_blas();

// The CPUs this process may run on (its affinity mask; at least 1).
int available_cpus();

// Sets torch's intra-op thread count: `requested` if > 0, else all hardware threads
// (libtorch 1.13 defaults to 1 here). Returns the count in effect.
int configure_threads(int requested);

// Loud multi-line warning for reference BLAS, empty otherwise.
std::string blas_warning(const BlasInfo& blas);

// The command line of this process, set once by main().
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

// The environment block of a run report (device filled by the caller's choice).
nlohmann::json environment_block(const std::string& device = "cpu");

// The path of the running executable (/proc/self/exe); UserError if it cannot be read.
std::string self_executable();

// The text printed by `lra --version`.
std::string version_text();

}  // namespace lra
