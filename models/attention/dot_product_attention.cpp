#include "models/attention/dot_product_attention.h"

#include "models/attention/recomputed_attention.h"
#include "models/fused_attention.h"

namespace lra {

torch::Tensor dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& keep, double dropout, bool training, bool recompute) {
  if (fused_attention_applies(q, k, v)) return fused_attention(q, k, v, keep, dropout, training);
  return recompute ? attention_recomputed(q, k, v, keep, dropout, training)
                   : attention_stored(q, k, v, keep, dropout, training);
}

}  // namespace lra
