#include "models/cpu_gemm.h"

#if LRA_HAVE_CBLAS
#include <cblas.h>
#endif

#include <stdexcept>

namespace lra {

#if LRA_HAVE_CBLAS
bool cpu_gemm_available() { return true; }

void cpu_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
               const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
#else
bool cpu_gemm_available() { return false; }

void cpu_sgemm(bool, bool, int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float, float*,
               int64_t) {
  throw std::logic_error("cpu_sgemm: this build has no cblas (install libblas-dev and rebuild)");
}
#endif

}  // namespace lra
