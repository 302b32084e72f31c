#pragma once
// Closed-form parameter counts written from the architecture (embeddings, blocks, classifier head).
// Each variant declares its model's count with these (ModelEntry::parameters); the registry-wide test
// checks every declared count against the module it builds.
#include <cstdint>

#include "models/model_config.h"
#include "models/sequence_norm.h"  // norm_parameters

namespace lra {

int64_t linear_parameters(int64_t in, int64_t out);  // weight + bias
int64_t feed_forward_parameters(const ModelConfig& model);  // fc1 (D->F) + fc2 (F->D)

// 1 when model.tie_layer_weights (one block applied `layers` times), else model.layers.
int64_t distinct_blocks(const ModelConfig& model);

// What every model has: token and position embeddings, the embedding and final LayerNorms when
// configured, and the classifier head (Linear(in, K) with bias, Linear(K, classes) without).
int64_t shared_parameters(const ModelConfig& model);

// A model of generic TransformerBlocks (attention sublayer + two LayerNorms + FFN) whose attention
// sublayer holds `attention` parameters.
int64_t transformer_block_model_parameters(const ModelConfig& model, int64_t attention);

}  // namespace lra
