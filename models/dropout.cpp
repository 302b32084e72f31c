#include "models/dropout.h"

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

// splitmix64 finaliser: a strong 64-bit mix, three multiplies and shifts (vectorises on AVX-512).
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

template <typename T>
void mask_apply(const T* in, T* out, int64_t n, uint64_t seed, double p) {
  // keep element i when the top 32 bits of its hash fall below (1-p) * 2^32
  const auto threshold = static_cast<uint64_t>((1.0 - p) * 4294967296.0);
  const auto scale = static_cast<float>(1.0 / (1.0 - p));
  const uint64_t base = mix(seed);
  at::parallel_for(0, n, 1 << 15, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const uint64_t r = mix(base + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL) >> 32;
      out[i] = r < threshold ? static_cast<T>(static_cast<float>(in[i]) * scale) : static_cast<T>(0.0f);
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
