#pragma once
// One single-threaded fp32 GEMM on raw CPU pointers, for kernels that run many small products in
// parallel (models/fused_attention.h, models/batched_matmul.h). It calls cblas_sgemm of the system
// BLAS, which on Debian is the same OpenBLAS libtorch uses; inside an OpenMP worker OpenBLAS runs it
// serially. A build without cblas.h/libblas (e.g. against a pip libtorch on a GPU machine) has no
// such GEMM: cpu_gemm_available() is false and those kernels fall back to libtorch's ops.
#include <cstdint>

namespace lra {

bool cpu_gemm_available();

// Row-major C (m,n) = op(A) op(B) + beta C, op = transpose when trans_*; lda, ldb, ldc are row strides.
void cpu_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
               const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace lra
