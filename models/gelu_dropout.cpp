#include "models/gelu_dropout.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include "models/dropout.h"
#include "models/gelu_dropout_kernel.h"

namespace lra {
namespace {

// Runs kernel(begin, count, mask) over the spans of the seeded mask of n elements.
template <typename Kernel>
void over_mask(int64_t n, double p, uint64_t seed, const Kernel& kernel) {
  const uint32_t threshold = keep_threshold(p);
  const float scale = keep_scale(p);
  for_each_mask_span(n, seed, [&](int64_t begin, int64_t count, uint32_t first, uint32_t key) {
    kernel(begin, count, MaskSpan{first, key, threshold, scale, p > 0.0});
  });
}

class GeluDropout : public torch::autograd::Function<GeluDropout> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
    const torch::Tensor in = x.contiguous();
    ctx->save_for_backward({in});
    return gelu_dropout_with_seed(in, p, save_seeded_mask(ctx, p).seed);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const SeededMask mask = saved_seeded_mask(ctx);
    const auto x = ctx->get_saved_variables()[0];
    return {gelu_dropout_backward(grads[0], x, mask.p, mask.seed), torch::Tensor()};
  }
};

// fp32 tensors as float*, bf16 tensors as their raw uint16_t bits (the kernels' two element types).
template <typename Run>
void with_element_type(const torch::Tensor& t, const Run& run) {
  if (t.scalar_type() == torch::kBFloat16) run(uint16_t{});
  else run(float{});
}

template <typename T>
T* elements(const torch::Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

}  // namespace

torch::Tensor gelu_dropout_with_seed(const torch::Tensor& x, double p, uint64_t seed) {
  RECORD_FUNCTION("lra::gelu_dropout", std::vector<c10::IValue>());  // named in op profiles
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty_like(in);
  with_element_type(in, [&](auto type) {
    using T = decltype(type);
    const T* src = elements<T>(in);
    T* dst = elements<T>(out);
    over_mask(in.numel(), p, seed, [&](int64_t begin, int64_t count, const MaskSpan& mask) {
      gelu_dropout_span(src + begin, dst + begin, count, mask);
    });
  });
  return out;
}

torch::Tensor gelu_dropout_backward(const torch::Tensor& grad, const torch::Tensor& x, double p, uint64_t seed) {
  RECORD_FUNCTION("lra::gelu_dropout_backward", std::vector<c10::IValue>());
  const torch::Tensor in = x.contiguous();
  const torch::Tensor dy = grad.to(in.scalar_type()).contiguous();
  torch::Tensor dx = torch::empty_like(in);
  with_element_type(in, [&](auto type) {
    using T = decltype(type);
    const T* x_data = elements<T>(in);
    const T* dy_data = elements<T>(dy);
    T* dx_data = elements<T>(dx);
    over_mask(in.numel(), p, seed, [&](int64_t begin, int64_t count, const MaskSpan& mask) {
      gelu_dropout_backward_span(x_data + begin, dy_data + begin, dx_data + begin, count, mask);
    });
  });
  return dx;
}

torch::Tensor gelu_dropout(const torch::Tensor& x, double p, bool training) {
  const bool drop = training && p > 0.0;
  // The kernel whenever it can draw the mask (or there is none to draw): also with p = 0, the
  // official configs' activation dropout, where it is a vectorised GELU, and in eval, so that
  // training and evaluation compute the same GELU. fp32 only: the bf16 loops (kernels kept, tested)
  // did not vectorise with GCC 12 and ran slower than the unfused bf16 path. The "torch" dropout means
  // libtorch's own ops throughout (the benches' "before").
  if (x.device().is_cpu() && x.scalar_type() == torch::kFloat && p < 1.0 && dropout_implementation() == "fast")
    return GeluDropout::apply(x, drop ? p : 0.0);
  // GELU in fp32 under fp16/bf16, as the official Luna code does (luna.md gotcha 10); no-op in fp32.
  return lra::dropout(torch::gelu(x.to(torch::kFloat)).to(x.scalar_type()), p, drop);
}

}  // namespace lra
