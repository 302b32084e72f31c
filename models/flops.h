#pragma once
// Analytic FLOPs of a training step, for the bench's utilisation figure. Only matrix products count
// (2*m*n*k each); a training step is ~3x the forward (backward = gradients of inputs and weights).
// Each attention variant declares the FLOPs of its attention sublayer (ModelEntry::attention_flops).
#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

#include "models/model_config.h"

namespace lra {

// Forward FLOPs of one attention sublayer (projections included) for one example of n tokens.
using AttentionFlops = std::function<double(const ModelConfig& model, int64_t n)>;

// Forward FLOPs of the whole model for a batch of `batch` examples of n tokens (both documents of a
// pair task): layers x (attention + FFN) + classifier head; `feed_forward` false: blocks without the FFN.
double forward_flops(const ModelConfig& model, int64_t batch, int64_t n, const AttentionFlops& attention,
                     bool feed_forward = true);

}  // namespace lra
