#include "models/dropout.h"

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include "lra/errors.h"

namespace lra {
namespace {

std::string& implementation() {
  static std::string name = "fast";
  return name;
}

// splitmix64 finaliser: a strong 64-bit mix (turns a seed into a per-block key).
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
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
    const uint64_t seed = draw_seed();
    ctx->saved_data["seed"] = static_cast<int64_t>(seed);
    ctx->saved_data["p"] = p;
    return masked(x, seed, p);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto seed = static_cast<uint64_t>(ctx->saved_data["seed"].toInt());
    return {masked(grads[0], seed, ctx->saved_data["p"].toDouble()), torch::Tensor()};
  }

 public:
  static torch::Tensor masked(const torch::Tensor& x, uint64_t seed, double p) {
    RECORD_FUNCTION("lra::fast_dropout", std::vector<c10::IValue>());  // named in op profiles
    torch::Tensor in = x.contiguous();
    torch::Tensor out = torch::empty_like(in);
    if (in.scalar_type() == torch::kBFloat16)  // CPU bf16 autocast
      mask_apply(in.data_ptr<at::BFloat16>(), out.data_ptr<at::BFloat16>(), in.numel(), seed, p);
    else
      mask_apply(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(), seed, p);
    return out;
  }
};

// lowbias32 (C. Wellons' 32-bit integer hash): two multiplies and three xor-shifts, a bijection with
// low bias; unlike a 64-bit mix it vectorises (vpmulld), 16 lanes per AVX-512 instruction.
inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Elements [first, first + count) of one 2^32-element block whose key is `key`: element c is kept
// when hash32(c * golden + key) < threshold. Compiled for AVX-512, AVX2 and baseline x86-64; the
// loader picks the best the CPU runs (the same mask on all three).
#if defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void mask_span(const float* __restrict in, float* __restrict out, int64_t count, uint32_t first, uint32_t key, uint32_t threshold,
               float scale) {
  for (int64_t j = 0; j < count; ++j) {
    const uint32_t r = hash32((first + static_cast<uint32_t>(j)) * 0x9E3779B9U + key);
    out[j] = r < threshold ? in[j] * scale : 0.0f;
  }
}

void mask_span(const at::BFloat16* in, at::BFloat16* out, int64_t count, uint32_t first, uint32_t key,
               uint32_t threshold, float scale) {
  for (int64_t j = 0; j < count; ++j) {
    const uint32_t r = hash32((first + static_cast<uint32_t>(j)) * 0x9E3779B9U + key);
    out[j] = r < threshold ? static_cast<at::BFloat16>(static_cast<float>(in[j]) * scale) : at::BFloat16(0.0f);
  }
}

template <typename T>
void mask_apply(const T* in, T* out, int64_t n, uint64_t seed, double p) {
  // keep element i with probability (1-p), exact to 2^-32; kept elements are scaled by 1/(1-p)
  const auto threshold = static_cast<uint32_t>(std::min(4294967295.0, std::round((1.0 - p) * 4294967296.0)));
  const auto scale = static_cast<float>(1.0 / (1.0 - p));
  at::parallel_for(0, n, 1 << 15, [&](int64_t begin, int64_t end) {
    while (begin < end) {  // split at 2^32-element block boundaries; each block has its own key
      const uint64_t block = static_cast<uint64_t>(begin) >> 32;
      const int64_t block_end = std::min<int64_t>(end, static_cast<int64_t>((block + 1) << 32));
      const auto key = static_cast<uint32_t>(mix(seed + block));
      mask_span(in + begin, out + begin, block_end - begin, static_cast<uint32_t>(begin), key, threshold, scale);
      begin = block_end;
    }
  });
}

}  // namespace

void dropout_mask_apply(const float* in, float* out, int64_t n, uint64_t seed, double p) {
  mask_apply(in, out, n, seed, p);
}

torch::Tensor dropout_with_seed(const torch::Tensor& x, double p, uint64_t seed) {
  return FastDropout::masked(x, seed, p);
}

uint64_t draw_dropout_seed() { return draw_seed(); }

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
