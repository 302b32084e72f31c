#include "models/dropout.h"

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "models/kernel_clones.h"

namespace lra {
namespace {

std::string& implementation() {
  static std::string name = "fast";
  return name;
}

uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

template <typename T>
void mask_apply(const T* in, T* out, int64_t n, uint64_t seed, double p);

class FastDropout : public torch::autograd::Function<FastDropout> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
    return masked(x, save_seeded_mask(ctx, p).seed, p);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const SeededMask mask = saved_seeded_mask(ctx);
    return {masked(grads[0], mask.seed, mask.p), torch::Tensor()};
  }

 public:
  static torch::Tensor masked(const torch::Tensor& x, uint64_t seed, double p) {
    RECORD_FUNCTION("lra::fast_dropout", std::vector<c10::IValue>());  // named in op profiles
    torch::Tensor in = x.contiguous();
    torch::Tensor out = torch::empty_like(in);
    if (in.scalar_type() == torch::kBFloat16)  // CPU bf16 autocast
      mask_apply(reinterpret_cast<const uint16_t*>(in.data_ptr<at::BFloat16>()),
                 reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>()), in.numel(), seed, p);
    else
      mask_apply(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(), seed, p);
    return out;
  }
};

// Elements [first, first + count) of one 2^32-element block whose key is `key` (for_each_mask_span).
// Compiled for AVX-512, AVX2 and baseline x86-64; the loader picks the best the CPU runs (the same
// mask on all three).
LRA_KERNEL_CLONES void mask_span(const float* __restrict in, float* __restrict out, int64_t count, uint32_t first,
                                 uint32_t key, uint32_t threshold, float scale) {
  for (int64_t j = 0; j < count; ++j)
    out[j] = mask_bits(first + static_cast<uint32_t>(j), key) < threshold ? in[j] * scale : 0.0f;
}

// The bfloat16 loop vectorises only with AVX512BW's 16-bit lanes, which GCC's target_clones cannot
// name, so it is compiled twice and picked once by what the CPU supports (the same mask either way).
using Bf16Span = void (*)(const uint16_t*, uint16_t*, int64_t, uint32_t, uint32_t, uint32_t, float);

inline __attribute__((always_inline)) void bf16_span_loop(const uint16_t* __restrict in, uint16_t* __restrict out,
                                                          int64_t count, uint32_t first, uint32_t key,
                                                          uint32_t threshold, float scale) {
  for (int64_t j = 0; j < count; ++j)
    out[j] = mask_bits(first + static_cast<uint32_t>(j), key) < threshold ? float_to_bf16(bf16_to_float(in[j]) * scale)
                                                                         : uint16_t{0};
}

void bf16_span_baseline(const uint16_t* __restrict in, uint16_t* __restrict out, int64_t count, uint32_t first,
                        uint32_t key, uint32_t threshold, float scale) {
  bf16_span_loop(in, out, count, first, key, threshold, scale);
}

#if defined(__x86_64__) && !defined(__clang__)
__attribute__((target("avx512f,avx512bw,avx512vl"))) void bf16_span_avx512bw(
    const uint16_t* __restrict in, uint16_t* __restrict out, int64_t count, uint32_t first, uint32_t key,
    uint32_t threshold, float scale) {
  bf16_span_loop(in, out, count, first, key, threshold, scale);
}
#endif

Bf16Span pick_bf16_span() {
#if defined(__x86_64__) && !defined(__clang__)
  if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) return bf16_span_avx512bw;
#endif
  return bf16_span_baseline;
}

void mask_span(const uint16_t* in, uint16_t* out, int64_t count, uint32_t first, uint32_t key, uint32_t threshold,
               float scale) {  // bfloat16 bits
  static const Bf16Span span = pick_bf16_span();
  span(in, out, count, first, key, threshold, scale);
}

template <typename T>
void mask_apply(const T* in, T* out, int64_t n, uint64_t seed, double p) {
  const uint32_t threshold = keep_threshold(p);
  const float scale = keep_scale(p);
  for_each_mask_span(n, seed, [&](int64_t begin, int64_t count, uint32_t first, uint32_t key) {
    mask_span(in + begin, out + begin, count, first, key, threshold, scale);
  });
}

}  // namespace

uint32_t keep_threshold(double p) {
  return static_cast<uint32_t>(std::min(4294967295.0, std::round((1.0 - p) * 4294967296.0)));
}

float keep_scale(double p) { return static_cast<float>(1.0 / (1.0 - p)); }

void dropout_mask_apply(const float* in, float* out, int64_t n, uint64_t seed, double p) {
  mask_apply(in, out, n, seed, p);
}

torch::Tensor dropout_with_seed(const torch::Tensor& x, double p, uint64_t seed) {
  return FastDropout::masked(x, seed, p);
}

uint64_t draw_dropout_seed() { return draw_seed(); }

SeededMask save_seeded_mask(torch::autograd::AutogradContext* ctx, double p) {
  const SeededMask mask{p > 0.0 ? draw_seed() : 0, p};
  ctx->saved_data["seed"] = static_cast<int64_t>(mask.seed);
  ctx->saved_data["p"] = p;
  return mask;
}

SeededMask saved_seeded_mask(torch::autograd::AutogradContext* ctx) {
  return {static_cast<uint64_t>(ctx->saved_data["seed"].toInt()), ctx->saved_data["p"].toDouble()};
}

torch::Tensor dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0.0) return x;
  if (p >= 1.0) return torch::zeros_like(x);
  if (implementation() == "fast" && x.device().is_cpu() &&
      (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kBFloat16))
    return FastDropout::apply(x, p);
  return torch::dropout(x, p, /*train=*/true);
}

void set_dropout_implementation(const std::string& name) {
  if (name != "fast" && name != "torch")
    throw UserError("runtime.dropout: unknown implementation '" + name + "' (known: fast, torch)");
  implementation() = name;
}

const std::string& dropout_implementation() { return implementation(); }

}  // namespace lra
