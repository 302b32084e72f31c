#include "models/flops.h"

namespace lra {

double forward_flops(const ModelConfig& m, int64_t batch, int64_t n, const AttentionFlops& attention,
                     bool feed_forward) {
  const double d = static_cast<double>(m.d_model), f = static_cast<double>(m.ffn_dim);
  const double ffn = feed_forward ? 2.0 * 2.0 * static_cast<double>(n) * d * f : 0.0;  // fc1 + fc2
  const double documents = m.task.pair ? 2.0 : 1.0;
  const double encoder = documents * static_cast<double>(m.layers) * (attention(m, n) + ffn);
  const double head_in = m.task.pair ? (m.pair_features == "lra4" ? 4.0 : 2.0) * d : d;
  const double k = static_cast<double>(m.classifier_dim);
  const double head = 2.0 * head_in * k + 2.0 * k * static_cast<double>(m.task.classes);
  return static_cast<double>(batch) * (encoder + head);
}

}  // namespace lra
