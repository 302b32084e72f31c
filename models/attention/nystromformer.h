#pragma once
// Nystromformer (Xiong et al. 2021, "Nystromformer: A Nystrom-Based Algorithm for Approximating
// Self-Attention", AAAI, arXiv 2102.03902). With Q~, K~ the m landmarks (segment means of Q and K),
//   out = F~ Z (B~ V) + conv(V),
//   F~ = softmax(Q K~^T / sqrt(E)) (N,m),  A~ = softmax(Q~ K~^T / sqrt(E)) (m,m),
//   B~ = softmax(Q~ K^T / sqrt(E)) (m,N),  Z ~ A~^+ by the paper's iteration (6 steps from
//   Z0 = A~^T / (|A~|_1 |A~|_inf)), and conv a depthwise convolution of V along the sequence (one
//   filter per head, kernel model.attention.conv_kernel, no bias), the paper's skip connection.
// Landmarks: the real tokens of each sample are split into m contiguous segments whose sizes differ
// by at most one (segment of the r-th real token = floor(r m / L), L real tokens); any N works and
// appended padding changes nothing. With L < m the empty segments are masked out of F~ and A~ (their
// rows and columns of A~ and Z are 0). The "nystromformer" model is the generic pre-LN
// TransformerBlock around it.
// Legend: B batch, N tokens, m landmarks (model.attention.landmarks), D model, H heads, E = D/H.
#include <nlohmann/json.hpp>
#include <torch/nn/modules/conv.h>

#include "models/attention/projections.h"
#include "models/blocks/transformer_block.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/model_config.h"

namespace lra {

struct NystromOptions {
  NystromOptions(int64_t d_model, int64_t heads) : d_model_(d_model), heads_(heads) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  /// landmarks m (model.attention.landmarks)
  TORCH_ARG(int64_t, landmarks) = 64;
  /// odd kernel of the depthwise convolution on V; 0 = no convolution (model.attention.conv_kernel)
  TORCH_ARG(int64_t, conv_kernel) = 33;
  /// iterations of the pseudo-inverse (the paper uses 6)
  TORCH_ARG(int64_t, pinv_iterations) = 6;
};

// model.attention {landmarks, conv_kernel}; UserError on unknown keys, landmarks < 1, or a
// conv_kernel that is negative or even.
NystromOptions nystrom_options(const ModelConfig& model);

// The paper's iterative Moore-Penrose pseudo-inverse of a (...,m,m) batch: Z0 = A^T / (|A|_1 |A|_inf)
// per matrix, then Z <- Z (13 I - A Z (15 I - A Z (7 I - A Z))) / 4, `iterations` times.
torch::Tensor iterative_pinv(const torch::Tensor& a, int64_t iterations);

// Segment-mean weights of the real tokens: mask (B,N) bool -> weights (B,m,N) with weights[b,s,i] =
// 1/|segment s| for real token i in segment s, else 0; and keep (B,m), true at non-empty segments.
struct Landmarks {
  torch::Tensor weights;  // (B,m,N)
  torch::Tensor keep;     // (B,m) bool
};
Landmarks segment_means(const torch::Tensor& mask, int64_t landmarks, torch::ScalarType dtype);

class NystromAttentionImpl : public SelfAttentionImpl {
 public:
  explicit NystromAttentionImpl(const NystromOptions& options);
  // x (B,N,D), mask (B,N) -> (B,N,D). Every sample needs at least one real token (CLS).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;

  NystromOptions options;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // (D,D) + bias
  torch::nn::Conv2d conv{nullptr};  // "conv": weight (H,1,kernel,1), when conv_kernel > 0
};
TORCH_MODULE(NystromAttention);

// Registry factory of "nystromformer" (model.attention keys: landmarks, conv_kernel).
ClassifierModel build_nystromformer(const nlohmann::json& config);
// Forward FLOPs of one attention sublayer for one example of n tokens.
double nystrom_attention_flops(const ModelConfig& model, int64_t n);
// The registry entry: name, description, factory, FLOPs, parameter count.
ModelEntry nystromformer_model();

}  // namespace lra
