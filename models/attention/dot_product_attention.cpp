#include "models/attention/dot_product_attention.h"

#include <atomic>

#include "models/attention/recomputed_attention.h"
#include "models/fused_attention.h"

namespace lra {
namespace {

enum KernelBit : unsigned { kFused = 1, kMaterialised = 2, kRecomputed = 4 };
std::atomic<unsigned> kernels_used{0};

}  // namespace

torch::Tensor dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& keep, double dropout, bool training, bool recompute) {
  if (fused_attention_applies(q, k, v)) {
    kernels_used |= kFused;
    return fused_attention(q, k, v, keep, dropout, training);
  }
  if (recompute) {
    kernels_used |= kRecomputed;
    return attention_recomputed(q, k, v, keep, dropout, training);
  }
  kernels_used |= kMaterialised;
  return attention_stored(q, k, v, keep, dropout, training);
}

void reset_attention_kernels_used() { kernels_used = 0; }

std::string attention_kernels_used() {
  const unsigned used = kernels_used;
  std::string names;
  for (const auto& [bit, name] : {std::pair{kFused, "fused"}, {kMaterialised, "materialised"}, {kRecomputed, "recomputed"}})
    if (used & bit) names += (names.empty() ? "" : "+") + std::string(name);
  return names;
}

}  // namespace lra
