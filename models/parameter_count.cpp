#include "models/parameter_count.h"

namespace lra {

int64_t linear_parameters(int64_t in, int64_t out) { return in * out + out; }

int64_t feed_forward_parameters(const ModelConfig& m) {
  return linear_parameters(m.d_model, m.ffn_dim) + linear_parameters(m.ffn_dim, m.d_model);
}

int64_t distinct_blocks(const ModelConfig& m) { return m.tie_layer_weights ? 1 : m.layers; }

int64_t shared_parameters(const ModelConfig& m) {
  const int64_t d = m.d_model, k = m.classifier_dim;
  const int64_t embeddings = (m.task.vocab_size + (m.learned_positions ? m.task.max_len : 0)) * d;
  const int64_t norms = ((m.embedding_layer_norm ? 1 : 0) + (m.final_layer_norm ? 1 : 0)) * norm_parameters(m.norm_type, d);
  const int64_t head_in = m.task.pair ? (m.pair_features == "concat" ? 2 * d : 4 * d) : d;
  return embeddings + norms + linear_parameters(head_in, k) + k * m.task.classes;
}

int64_t transformer_block_model_parameters(const ModelConfig& m, int64_t attention) {
  const int64_t block = attention + 2 * norm_parameters(m.norm_type, m.d_model) + feed_forward_parameters(m);
  return shared_parameters(m) + distinct_blocks(m) * block;
}

}  // namespace lra
