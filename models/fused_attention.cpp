#include "models/fused_attention.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include "models/cpu_gemm.h"
#include "models/dropout.h"
#include "models/softmax_dropout.h"
#include "models/softmax_dropout_kernel.h"

namespace lra {
namespace {

std::atomic<bool>& fused_flag() {
  static std::atomic<bool> on{true};
  return on;
}

// A (B,H,rows,E) operand as BLAS sees it: head (b,h) starts at data + b*batch + h*head, rows are `ld`
// floats apart, elements contiguous.
struct HeadMatrix {
  float* data;
  int64_t batch, head, ld;
  float* at(int64_t b, int64_t h, int64_t row = 0) const { return data + b * batch + h * head + row * ld; }
};

// A view BLAS can read: last dim contiguous, rows at least E apart (else a contiguous copy).
torch::Tensor blas_ready(const torch::Tensor& t) {
  const bool ok = t.stride(3) == 1 && (t.size(2) <= 1 || t.stride(2) >= t.size(3));
  return ok ? t : t.contiguous();
}

HeadMatrix head_matrix(const torch::Tensor& t) {
  return {t.data_ptr<float>(), t.stride(0), t.stride(1), std::max<int64_t>(t.stride(2), t.size(3))};
}

// (B,H,N,E) result stored as (B,N,H,E): merge_heads of it is a view.
torch::Tensor heads_last_empty(int64_t b, int64_t h, int64_t n, int64_t e, const torch::TensorOptions& options) {
  return torch::empty({b, n, h, e}, options).transpose(1, 2);
}

// Queries per block: enough that the block's score rows (rows x S floats; three or four such buffers)
// stay near 64 KB each, in L2, but at least S/8 rows up to 128, so that at long key lengths the GEMMs
// do not become thin (Transformer, Text config at 4K: 16-row blocks 8.5 s/step, 128-row blocks 7.1 s,
// the unfused ops 7.9 s). At the cpu profile's lengths (S <= 257) the first rule decides.
int64_t block_rows(int64_t queries, int64_t keys) {
  const int64_t s = std::max<int64_t>(keys, 1);
  return std::max<int64_t>(1, std::min(queries, std::max(16384 / s, std::min<int64_t>(128, s / 8))));
}

struct Shapes {
  int64_t b, h, m, s, e;
};

// Probabilities (and dropped probabilities when p > 0) of queries [row0, row0 + rows) of head (b,h):
// scores = q k^T into `scores`, then the softmax + dropout row kernel per query.
void block_probabilities(const Shapes& x, const HeadMatrix& q, const HeadMatrix& k, const float* keep, int64_t b,
                         int64_t h, int64_t row0, int64_t rows, double p, uint64_t seed, float* scores, float* probs,
                         float* dropped) {
  cpu_sgemm(false, true, rows, x.s, x.e, q.at(b, h, row0), q.ld, k.at(b, h), k.ld, 0.0f, scores, x.s);
  const float* keep_row = keep ? keep + b * x.s : nullptr;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t row = (b * x.h + h) * x.m + row0 + i;  // index in the (B,H,M,S) scores: the dropout mask's
    softmax_dropout_row(scores + i * x.s, keep_row, probs + i * x.s, p > 0.0 ? dropped + i * x.s : nullptr, x.s,
                        softmax_dropout_row_masks(row, x.s, p, seed));
  }
}

Shapes shapes_of(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4, "fused_attention: q, k, v must be (B,H,*,E)");
  TORCH_CHECK(k.sizes() == v.sizes() && q.size(0) == k.size(0) && q.size(1) == k.size(1) && q.size(3) == k.size(3),
              "fused_attention: q ", q.sizes(), ", k ", k.sizes(), ", v ", v.sizes(), " do not match");
  return {q.size(0), q.size(1), q.size(2), k.size(2), q.size(3)};
}

torch::Tensor forward_kernel(const torch::Tensor& q_in, const torch::Tensor& k_in, const torch::Tensor& v_in,
                             const torch::Tensor& keep, double p, uint64_t seed) {
  RECORD_FUNCTION("lra::fused_attention", std::vector<c10::IValue>());
  const Shapes x = shapes_of(q_in, k_in, v_in);
  const auto q_t = blas_ready(q_in), k_t = blas_ready(k_in), v_t = blas_ready(v_in);
  const HeadMatrix q = head_matrix(q_t), k = head_matrix(k_t), v = head_matrix(v_t);
  torch::Tensor out = heads_last_empty(x.b, x.h, x.m, x.e, q_in.options());
  const HeadMatrix o = head_matrix(out);
  const float* keep_data = keep.defined() ? keep.data_ptr<float>() : nullptr;
  const int64_t rows = block_rows(x.m, x.s), blocks = (x.m + rows - 1) / rows;
  at::parallel_for(0, x.b * x.h * blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buffers(static_cast<size_t>((p > 0.0 ? 3 : 2) * rows * x.s));
    float* scores = buffers.data();
    float* probs = scores + rows * x.s;
    float* dropped = p > 0.0 ? probs + rows * x.s : probs;
    for (int64_t item = begin; item < end; ++item) {
      const int64_t bh = item / blocks, b = bh / x.h, h = bh % x.h;
      const int64_t row0 = (item % blocks) * rows, n = std::min(rows, x.m - row0);
      block_probabilities(x, q, k, keep_data, b, h, row0, n, p, seed, scores, probs, dropped);
      cpu_sgemm(false, false, n, x.e, x.s, dropped, x.s, v.at(b, h), v.ld, 0.0f, o.at(b, h, row0), o.ld);
    }
  });
  return out;
}

// Gradients of q, k, v. Work item = one head (dk, dv sum over all its query blocks).
torch::autograd::tensor_list backward_kernel(const torch::Tensor& d_out_in, const torch::Tensor& q_in,
                                             const torch::Tensor& k_in, const torch::Tensor& v_in,
                                             const torch::Tensor& keep, double p, uint64_t seed) {
  RECORD_FUNCTION("lra::fused_attention_backward", std::vector<c10::IValue>());
  const Shapes x = shapes_of(q_in, k_in, v_in);
  const auto q_t = blas_ready(q_in), k_t = blas_ready(k_in), v_t = blas_ready(v_in);
  const auto d_out_t = blas_ready(d_out_in.to(torch::kFloat));
  const HeadMatrix q = head_matrix(q_t), k = head_matrix(k_t), v = head_matrix(v_t), d_out = head_matrix(d_out_t);
  torch::Tensor d_q = heads_last_empty(x.b, x.h, x.m, x.e, q_in.options());
  torch::Tensor d_k = heads_last_empty(x.b, x.h, x.s, x.e, k_in.options());
  torch::Tensor d_v = heads_last_empty(x.b, x.h, x.s, x.e, v_in.options());
  const HeadMatrix dq = head_matrix(d_q), dk = head_matrix(d_k), dv = head_matrix(d_v);
  const float* keep_data = keep.defined() ? keep.data_ptr<float>() : nullptr;
  const int64_t rows = block_rows(x.m, x.s);
  at::parallel_for(0, x.b * x.h, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buffers(static_cast<size_t>((p > 0.0 ? 4 : 3) * rows * x.s + x.s));
    float* scores = buffers.data();  // scores, then dL/d(dropped probabilities)
    float* probs = scores + rows * x.s;
    float* d_scores = probs + rows * x.s;
    float* scratch = d_scores + rows * x.s;  // one row
    float* dropped = p > 0.0 ? scratch + x.s : probs;
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / x.h, h = bh % x.h;
      for (int64_t row0 = 0; row0 < x.m; row0 += rows) {
        const int64_t n = std::min(rows, x.m - row0);
        const float beta = row0 == 0 ? 0.0f : 1.0f;  // first block writes dk, dv; later ones add
        block_probabilities(x, q, k, keep_data, b, h, row0, n, p, seed, scores, probs, dropped);
        cpu_sgemm(true, false, x.s, x.e, n, dropped, x.s, d_out.at(b, h, row0), d_out.ld, beta, dv.at(b, h), dv.ld);
        cpu_sgemm(false, true, n, x.s, x.e, d_out.at(b, h, row0), d_out.ld, v.at(b, h), v.ld, 0.0f, scores, x.s);
        for (int64_t i = 0; i < n; ++i) {
          const int64_t row = (b * x.h + h) * x.m + row0 + i;
          softmax_dropout_backward_row(scores + i * x.s, probs + i * x.s, d_scores + i * x.s, scratch, x.s,
                                       softmax_dropout_row_masks(row, x.s, p, seed));
        }
        cpu_sgemm(false, false, n, x.e, x.s, d_scores, x.s, k.at(b, h), k.ld, 0.0f, dq.at(b, h, row0), dq.ld);
        cpu_sgemm(true, false, x.s, x.e, n, d_scores, x.s, q.at(b, h, row0), q.ld, beta, dk.at(b, h), dk.ld);
      }
      if (x.m == 0) {  // no queries: zero gradients of k and v
        for (int64_t j = 0; j < x.s; ++j) std::fill_n(dk.at(b, h, j), x.e, 0.0f), std::fill_n(dv.at(b, h, j), x.e, 0.0f);
      }
    }
  });
  return {d_q, d_k, d_v};
}

class FusedAttention : public torch::autograd::Function<FusedAttention> {
 public:
  // keep: (B,S) float factors, or an empty tensor for "every key" (autograd inputs cannot be undefined).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const torch::Tensor& keep, double p) {
    const SeededMask mask = save_seeded_mask(ctx, p);
    ctx->save_for_backward({q, k, v, keep});
    return forward_kernel(q, k, v, keep.numel() ? keep : torch::Tensor(), p, mask.seed);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const SeededMask mask = saved_seeded_mask(ctx);
    const auto saved = ctx->get_saved_variables();
    const auto& keep = saved[3];
    auto d = backward_kernel(grads[0], saved[0], saved[1], saved[2], keep.numel() ? keep : torch::Tensor(), mask.p,
                             mask.seed);
    return {d[0], d[1], d[2], torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

void set_fused_attention(bool on) { fused_flag() = on; }
bool fused_attention_enabled() { return fused_flag(); }

bool fused_attention_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  for (const auto* t : {&q, &k, &v})
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat || t->dim() != 4) return false;
  return fused_attention_enabled() && dropout_implementation() == "fast" && cpu_gemm_available();
}

torch::Tensor fused_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& keep, double p, bool training) {
  TORCH_CHECK(cpu_gemm_available(), "fused_attention: this build has no cblas (install libblas-dev and rebuild)");
  const Shapes x = shapes_of(q, k, v);
  const auto factors = key_keep_factors(keep, x.b, x.s, "fused_attention");
  return FusedAttention::apply(q, k, v, factors.defined() ? factors : torch::empty({0}, q.options()),
                               training && p > 0.0 ? p : 0.0);
}

}  // namespace lra
