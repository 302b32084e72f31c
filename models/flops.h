#pragma once
// Analytic FLOPs of a training step, for the bench's utilisation figure. Only matrix products count
// (2*m*n*k each); a training step is ~3x the forward (backward = gradients of inputs and weights).
// Each attention variant supplies the FLOPs of its attention sublayer for one example of n tokens.
#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

#include "models/model_config.h"

namespace lra {

// Forward FLOPs of one attention sublayer (projections included) for one example of n tokens.
using AttentionFlops = std::function<double(const ModelConfig& model, int64_t n)>;

// Forward FLOPs of the whole model for a batch of `batch` examples of n tokens (both documents of a
// pair task): layers x (attention + FFN) + classifier head.
double forward_flops(const ModelConfig& model, int64_t batch, int64_t n, const AttentionFlops& attention);

// 3x forward_flops, for a resolved config; the registry's train_step_flops.
std::function<double(const nlohmann::json& config, int64_t batch, int64_t n)> train_step_flops(AttentionFlops attention);

// Per-variant attention FLOPs (one example, one layer); each is defined next to its variant.
double luna_attention_flops(const ModelConfig& model, int64_t n);
double softmax_attention_flops(const ModelConfig& model, int64_t n);
double linformer_attention_flops(const ModelConfig& model, int64_t n);
double performer_attention_flops(const ModelConfig& model, int64_t n);
double linear_attention_flops(const ModelConfig& model, int64_t n);
double nystrom_attention_flops(const ModelConfig& model, int64_t n);
double local_attention_flops(const ModelConfig& model, int64_t n);

}  // namespace lra
