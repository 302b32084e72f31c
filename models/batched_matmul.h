#pragma once
// Batched matrix products on CPU in fp32, parallel over the batch: one single-threaded sgemm per
// matrix, the batch split across torch's threads. libtorch 1.13's CPU bmm (without MKL) instead loops
// over the matrices one at a time, each a small GEMM split over threads, plus a select() per operand
// and matrix: at the cpu profile's shapes (B*H = 128 matrices of 257 x 16) that loop, not the
// arithmetic, was most of Performer's, the Linear Transformer's and Nystromformer's attention time.
// Same products as torch::matmul up to the summation order inside BLAS (tests: 1e-5).
#include <torch/types.h>

namespace lra {

// a (..., M, K) @ b (..., K, N) -> (..., M, N). The parallel path needs CPU fp32 operands with equal
// batch dims (no broadcasting) and at least two matrices per thread; anything else is torch::matmul.
// Transposed views (e.g. k.transpose(-2, -1)) are read in place, not copied.
torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace lra
