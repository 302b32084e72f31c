#include "lra/runtime/environment.h"

#include "lra/runtime/blas_kernels.h"

#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>
#ifdef LRA_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include "core/errors.h"
#include "lra/runtime/memory_allocator.h"
#include "models/dropout.h"

namespace lra {

std::string libtorch_version() { return TORCH_VERSION; }

bool cuda_available() { return torch::cuda::is_available(); }

std::string gpu_name(const std::string& device) {
#ifdef LRA_WITH_CUDA
  if (device.rfind("cuda", 0) != 0 || !cuda_available()) return "";
  const auto colon = device.find(':');
  const int index = colon == std::string::npos ? 0 : std::atoi(device.c_str() + colon + 1);
  return at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(index))->name;
#else
  (void)device;
  return "";
#endif
}

BlasInfo detect_blas() {
  // /proc/self/maps lists the real file behind libblas.so.3 (the alternatives symlink is resolved).
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    std::string file = path.substr(path.rfind('/') + 1);
    bool blas_like = file.find("blas") != std::string::npos || file.find("blis") != std::string::npos ||
                     file.find("mkl_") != std::string::npos;
    if (!blas_like || file.find("cublas") != std::string::npos) continue;
    if (path.find("openblas") != std::string::npos) {
      std::string flavour = path.find("openmp") != std::string::npos    ? " (openmp)"
                            : path.find("pthread") != std::string::npos ? " (pthread)"
                                                                        : "";
      return {"OpenBLAS" + flavour, path};
    }
    if (path.find("blis") != std::string::npos) return {"BLIS", path};
    if (path.find("mkl") != std::string::npos) return {"MKL", path};
    if (path.find("atlas") != std::string::npos) return {"ATLAS", path};
    if (file.rfind("libblas.so", 0) == 0) return {"reference BLAS", path};
  }
  return {"unknown (none mapped: statically linked or MKL inside libtorch)", ""};
}

int available_cpus() {
  // The CPUs this process may run on: a Slurm task or taskset gets its share, not the machine.
  cpu_set_t allowed;
  const int n = sched_getaffinity(0, sizeof(allowed), &allowed) == 0
                    ? CPU_COUNT(&allowed)
                    : static_cast<int>(std::thread::hardware_concurrency());
  return n > 0 ? n : 1;
}

int configure_threads(int requested) {
  const int n = requested > 0 ? requested : available_cpus();
  at::set_num_threads(n);
  return at::get_num_threads();
}

std::string blas_warning(const BlasInfo& blas) {
  if (!blas.is_reference()) return "";
  return "WARNING: libtorch is using the reference (netlib) BLAS at " + blas.path +
         "\nWARNING: matrix products are ~10x slower than with OpenBLAS; every timing will be wrong.\n"
         "WARNING: fix: sudo apt-get install libopenblas0-openmp   (or run scripts/setup.sh)\n";
}

namespace {
std::vector<std::string>& command_line_storage() {
  static std::vector<std::string> args;
  return args;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}
}  // namespace

std::string self_executable() {
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) throw UserError("cannot locate the lra executable (/proc/self/exe)");
  return std::string(path, static_cast<size_t>(n));
}

void set_command_line(int argc, char** argv) {
  auto& args = command_line_storage();
  args.assign(argv, argv + argc);
}

const std::vector<std::string>& command_line() { return command_line_storage(); }

nlohmann::json environment_block(const std::string& device) {
  BlasInfo blas = detect_blas();
  std::string joined;
  for (const auto& arg : command_line()) joined += (joined.empty() ? "" : " ") + arg;
  return {
      {"lra_version", lra_version()},
      {"git_commit", lra_git_commit()},
      {"libtorch_version", libtorch_version()},
      {"cuda_available", cuda_available()},
      {"device", device},
      {"gpu", gpu_name(device)},  // "" on CPU runs
      {"cpu", cpu_model()},
      {"hardware_threads", std::thread::hardware_concurrency()},
      {"threads", at::get_num_threads()},
      {"blas", blas.name},
      {"blas_path", blas.path},
      {"blas_core", blas_core_name()},
      {"memory_allocator", memory_allocator_description()},
      {"dropout_implementation", dropout_implementation()},
      {"hostname", hostname()},
      {"date_utc", utc_time("%Y-%m-%dT%H:%M:%SZ")},
      {"command_line", joined},
  };
}

std::string version_text() {
  BlasInfo blas = detect_blas();
  std::ostringstream out;
  out << "lra " << lra_version() << " (commit " << lra_git_commit() << ")\n"
      << "libtorch " << libtorch_version() << "\n"
      << "CUDA: " << (cuda_available() ? "available (" + gpu_name("cuda") + ")" : std::string("not available")) << "\n"
      << "threads: " << at::get_num_threads() << " (hardware: " << std::thread::hardware_concurrency() << ")\n"
      << "BLAS: " << blas.name << (blas.path.empty() ? "" : " (" + blas.path + ")")
      << (blas_core_name().empty() ? "" : ", kernels " + blas_core_name()) << "\n"
      << "memory allocator: " << memory_allocator_description() << "\n";
  return out.str();
}

}  // namespace lra
