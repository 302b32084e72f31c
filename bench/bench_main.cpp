// Entry point of lra_bench (Google Benchmark): the same BLAS kernel selection, allocator (jemalloc,
// loaded by re-executing as `lra` does) and intra-op threads as `lra` (all hardware threads, or
// $LRA_THREADS), so the microbenchmarks measure what the harness runs. With glibc's malloc every
// block >= 32 MiB would be page-faulted afresh on each iteration (the unfused attention's scores).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "lra/runtime/blas_kernels.h"
#include "lra/runtime/environment.h"
#include "lra/runtime/memory_allocator.h"

int main(int argc, char** argv) {
  lra::select_blas_kernels(argv);
  lra::allow_allocator_reexec(argv);
  lra::configure_memory_allocator("jemalloc");
  benchmark::AddCustomContext("allocator", lra::memory_allocator_description());
  const char* threads = std::getenv("LRA_THREADS");
  benchmark::AddCustomContext("threads", std::to_string(lra::configure_threads(threads ? std::atoi(threads) : 0)));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
