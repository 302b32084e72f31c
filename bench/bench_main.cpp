// Entry point of lra_bench (Google Benchmark): the same BLAS kernel selection as `lra` first, so the
// microbenchmarks measure the kernels the harness uses.
#include <benchmark/benchmark.h>

#include "lra/blas_kernels.h"

int main(int argc, char** argv) {
  lra::select_blas_kernels(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
