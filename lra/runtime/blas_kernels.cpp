#include "lra/runtime/blas_kernels.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace lra {

std::string blas_core_name() {
  using CoreName = char* (*)();
  const auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!core_name) return "";
  const char* name = core_name();
  return name ? name : "";
}

std::string best_blas_core_for_cpu() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return "";
}

void select_blas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("LRA_KEEP_BLAS_KERNELS")) return;
  const std::string core = blas_core_name();
  // OpenBLAS's generic x86-64 fallbacks: what it uses for a CPU it cannot identify.
  if (core != "Prescott" && core != "Core2" && core != "Nehalem" && core != "Penryn") return;
  const std::string better = best_blas_core_for_cpu();
  if (better.empty()) return;
  setenv("OPENBLAS_CORETYPE", better.c_str(), 1);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the generic kernels
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace lra
