#pragma once
// OpenBLAS picks its GEMM kernels from CPUID when it is loaded. On a CPU it does not recognise (this
// machine kind: an AVX-512 Xeon whose model OpenBLAS 0.3.21 does not know) it falls back to its
// generic "Prescott" SSE3 kernels: a 2048^2 sgemm on 2 cores ran at 30 GFLOP/s instead of ~200 with
// the SkylakeX kernels. Every model's step time is mostly GEMMs, so this is fixed for all of them at
// start-up, before any work, and recorded in every report (environment.blas_core).
#include <string>

namespace lra {

// OpenBLAS's kernel family in use ("SkylakeX", "Haswell", "Prescott", ...); "" when the BLAS is not
// OpenBLAS.
std::string blas_core_name();

// The kernel family the CPU supports best among OpenBLAS's x86-64 targets: "SkylakeX" (AVX-512),
// "Haswell" (AVX2 + FMA) or "" (leave OpenBLAS's choice).
std::string best_blas_core_for_cpu();

// When OpenBLAS runs its generic kernels on a CPU that supports better ones and the user has not set
// OPENBLAS_CORETYPE, re-executes this program with OPENBLAS_CORETYPE set (OpenBLAS reads it only at
// load time). Returns when nothing needs doing, or when the re-exec failed (then nothing changes).
// LRA_KEEP_BLAS_KERNELS=1 turns this off.
void select_blas_kernels(char** argv);

}  // namespace lra
