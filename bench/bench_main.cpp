// Entry point of lra_bench (Google Benchmark): the same BLAS kernel selection and intra-op threads as
// `lra` (all hardware threads, or $LRA_THREADS), so the microbenchmarks measure what the harness runs.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "lra/blas_kernels.h"
#include "lra/environment.h"

int main(int argc, char** argv) {
  lra::select_blas_kernels(argv);
  const char* threads = std::getenv("LRA_THREADS");
  benchmark::AddCustomContext("threads", std::to_string(lra::configure_threads(threads ? std::atoi(threads) : 0)));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
