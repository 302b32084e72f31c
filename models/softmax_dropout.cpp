#include "models/softmax_dropout.h"

#include <vector>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include "models/attention/heads.h"
#include "models/dropout.h"
#include "models/softmax_dropout_kernel.h"

namespace lra {

RowMasks softmax_dropout_row_masks(int64_t row, int64_t cols, double p, uint64_t seed) {
  const uint32_t threshold = keep_threshold(p);
  const float scale = keep_scale(p);
  const bool masked = p > 0.0;
  const int64_t begin = row * cols;
  const uint64_t block = static_cast<uint64_t>(begin) >> 32;
  const int64_t block_end = static_cast<int64_t>((block + 1) << 32);
  const int64_t split = std::min(cols, block_end - begin);
  const auto key = [&](uint64_t b) { return static_cast<uint32_t>(mix64(seed + b)); };
  return {split, RowMask{static_cast<uint32_t>(begin), key(block), threshold, scale, masked},
          RowMask{0u, key(block + 1), threshold, scale, masked}};
}

torch::Tensor key_keep_factors(const torch::Tensor& keep, int64_t batch, int64_t keys, const char* who) {
  if (!keep.defined() || keep.numel() == 0) return {};
  TORCH_CHECK(keep.dim() == 2 && keep.size(0) == batch && keep.size(1) == keys, who, ": keep must be (B,", keys,
              "), got ", keep.sizes());
  return keep.to(torch::kFloat).contiguous();
}

namespace {

// Runs row_kernel(row, scratch) over rows [0, rows) in parallel, with a per-chunk scratch row of
// `scratch_cols` floats.
template <typename RowKernel>
void over_rows(int64_t rows, int64_t cols, int64_t scratch_cols, const RowKernel& row_kernel) {
  const int64_t grain = std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(cols, 1));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(static_cast<size_t>(scratch_cols));
    for (int64_t r = begin; r < end; ++r) row_kernel(r, scratch.data());
  });
}

class SoftmaxDropout : public torch::autograd::Function<SoftmaxDropout> {
 public:
  // keep: (B,M) bool, or an empty tensor for "every key" (autograd inputs cannot be undefined).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& scores,
                               const torch::Tensor& keep, double p) {
    const SeededMask mask = save_seeded_mask(ctx, p);
    auto [probs, dropped] = softmax_dropout_with_seed(scores, keep.numel() ? keep : torch::Tensor(), p, mask.seed);
    ctx->save_for_backward({probs});
    return dropped;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const SeededMask mask = saved_seeded_mask(ctx);
    const auto probs = ctx->get_saved_variables()[0];
    return {softmax_dropout_backward(grads[0], probs, mask.p, mask.seed), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

std::pair<torch::Tensor, torch::Tensor> softmax_dropout_with_seed(const torch::Tensor& scores,
                                                                  const torch::Tensor& keep, double p, uint64_t seed) {
  RECORD_FUNCTION("lra::softmax_dropout", std::vector<c10::IValue>());  // named in op profiles
  TORCH_CHECK(scores.scalar_type() == torch::kFloat && scores.device().is_cpu(), "softmax_dropout: CPU fp32 only");
  const torch::Tensor in = scores.contiguous();
  const int64_t cols = in.size(-1), rows = in.numel() / std::max<int64_t>(cols, 1);
  const int64_t batch = in.size(0), rows_per_batch = rows / std::max<int64_t>(batch, 1);
  const torch::Tensor keep_factors = key_keep_factors(keep, batch, cols, "softmax_dropout");  // (B,M) or undefined
  torch::Tensor probs = torch::empty_like(in);
  torch::Tensor dropped = p > 0.0 ? torch::empty_like(in) : probs;
  const float* src = in.data_ptr<float>();
  float* probs_data = probs.data_ptr<float>();
  float* dropped_data = p > 0.0 ? dropped.data_ptr<float>() : nullptr;
  const float* keep_data = keep_factors.defined() ? keep_factors.data_ptr<float>() : nullptr;
  over_rows(rows, cols, 0, [&](int64_t r, float*) {
    const int64_t at = r * cols;
    softmax_dropout_row(src + at, keep_data ? keep_data + (r / rows_per_batch) * cols : nullptr, probs_data + at,
                        dropped_data ? dropped_data + at : nullptr, cols, softmax_dropout_row_masks(r, cols, p, seed));
  });
  return {probs, dropped};
}

torch::Tensor softmax_dropout_backward(const torch::Tensor& grad, const torch::Tensor& probs, double p,
                                       uint64_t seed) {
  RECORD_FUNCTION("lra::softmax_dropout_backward", std::vector<c10::IValue>());
  const torch::Tensor g = grad.to(torch::kFloat).contiguous();
  const int64_t cols = probs.size(-1), rows = probs.numel() / std::max<int64_t>(cols, 1);
  torch::Tensor d_scores = torch::empty_like(probs);
  const float* g_data = g.data_ptr<float>();
  const float* p_data = probs.data_ptr<float>();
  float* d_data = d_scores.data_ptr<float>();
  over_rows(rows, cols, cols, [&](int64_t r, float* scratch) {
    const int64_t at = r * cols;
    softmax_dropout_backward_row(g_data + at, p_data + at, d_data + at, scratch, cols,
                                 softmax_dropout_row_masks(r, cols, p, seed));
  });
  return d_scores;
}

torch::Tensor softmax_dropout(const torch::Tensor& scores, const torch::Tensor& keep, double p, bool training) {
  const bool drop = training && p > 0.0;
  // The "torch" dropout means libtorch's own ops throughout (the benches' "before").
  if (scores.device().is_cpu() && scores.scalar_type() == torch::kFloat && scores.dim() >= 2 && p < 1.0 &&
      dropout_implementation() == "fast")
    return SoftmaxDropout::apply(scores, keep.defined() ? keep : torch::empty({0}, scores.options().dtype(torch::kBool)),
                                 drop ? p : 0.0);
  return lra::dropout(torch::softmax(mask_keys(scores, keep), -1), p, drop);
}

}  // namespace lra
