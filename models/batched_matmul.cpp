#include "models/batched_matmul.h"

#include <vector>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include "models/cpu_gemm.h"

namespace lra {
namespace {

// How BLAS reads one operand's matrices: element (r, c) of matrix p is data[offset[p] + r*row + c*col]
// with either col == 1 (row-major, ld = row) or row == 1 (transposed, ld = col).
struct Operand {
  const float* data;
  std::vector<int64_t> offsets;
  bool transposed;
  int64_t ld;
};

// Offsets of every matrix of t's batch dims (t's own strides, so any view works).
std::vector<int64_t> batch_offsets(const torch::Tensor& t) {
  const int64_t dims = t.dim() - 2;
  std::vector<int64_t> offsets{0};
  for (int64_t d = 0; d < dims; ++d) {
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(t.size(d)));
    for (int64_t o : offsets)
      for (int64_t i = 0; i < t.size(d); ++i) next.push_back(o + i * t.stride(d));
    offsets.swap(next);
  }
  return offsets;
}

// t, or a contiguous copy when neither of its last two dims is contiguous.
torch::Tensor blas_readable(const torch::Tensor& t) {
  const int64_t rows = t.size(-2), cols = t.size(-1);
  if (t.stride(-1) == 1 && (rows <= 1 || t.stride(-2) >= cols)) return t;
  if (t.stride(-2) == 1 && (cols <= 1 || t.stride(-1) >= rows)) return t;
  return t.contiguous();
}

Operand operand(const torch::Tensor& t) {
  const int64_t rows = t.size(-2), cols = t.size(-1);
  const bool row_major = t.stride(-1) == 1 && (rows <= 1 || t.stride(-2) >= cols);
  return {t.data_ptr<float>(), batch_offsets(t), !row_major,
          row_major ? std::max<int64_t>(t.stride(-2), std::max<int64_t>(cols, 1))
                    : std::max<int64_t>(t.stride(-1), std::max<int64_t>(rows, 1))};
}

bool parallel_path_applies(const torch::Tensor& a, const torch::Tensor& b) {
  if (!cpu_gemm_available() || a.dim() < 3 || a.dim() != b.dim() || !a.device().is_cpu() || !b.device().is_cpu() ||
      a.scalar_type() != torch::kFloat || b.scalar_type() != torch::kFloat)
    return false;
  if (a.sizes().slice(0, a.dim() - 2) != b.sizes().slice(0, b.dim() - 2) || a.size(-1) != b.size(-2)) return false;
  const int64_t matrices = a.numel() == 0 ? 0 : a.numel() / (a.size(-2) * a.size(-1));
  return matrices >= 2 * at::get_num_threads() && a.numel() > 0 && b.numel() > 0;
}

torch::Tensor product(const torch::Tensor& a_in, const torch::Tensor& b_in) {
  RECORD_FUNCTION("lra::batched_matmul", std::vector<c10::IValue>());
  const auto a_t = blas_readable(a_in), b_t = blas_readable(b_in);
  const Operand a = operand(a_t), b = operand(b_t);
  const int64_t m = a_in.size(-2), k = a_in.size(-1), n = b_in.size(-1);
  auto sizes = a_in.sizes().vec();
  sizes.back() = n;
  torch::Tensor out = torch::empty(sizes, a_in.options().memory_format(at::MemoryFormat::Contiguous));
  float* c = out.data_ptr<float>();
  const auto matrices = static_cast<int64_t>(a.offsets.size());
  at::parallel_for(0, matrices, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p)
      cpu_sgemm(a.transposed, b.transposed, m, n, k, a.data + a.offsets[p], a.ld, b.data + b.offsets[p], b.ld, 0.0f,
                c + p * m * n, n);
  });
  return out;
}

class BatchedMatmul : public torch::autograd::Function<BatchedMatmul> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a, const torch::Tensor& b) {
    ctx->save_for_backward({a, b});
    return product(a, b);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& a = saved[0];
    const auto& b = saved[1];
    const auto& g = grads[0];  // (..., M, N)
    torch::Tensor d_a, d_b;
    if (ctx->needs_input_grad(0)) d_a = product(g, b.transpose(-2, -1));  // (..., M, K)
    if (ctx->needs_input_grad(1)) d_b = product(a.transpose(-2, -1), g);  // (..., K, N)
    return {d_a, d_b};
  }
};

}  // namespace

torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b) {
  if (!parallel_path_applies(a, b)) return torch::matmul(a, b);
  return BatchedMatmul::apply(a, b);
}

}  // namespace lra
