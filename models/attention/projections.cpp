#include "models/attention/projections.h"

#include <torch/torch.h>

namespace lra {
namespace {

bool& fused_flag() {
  static bool on = true;
  return on;
}

}  // namespace

void set_fused_projections(bool on) { fused_flag() = on; }
bool fused_projections() { return fused_flag(); }

std::vector<torch::Tensor> project(const torch::Tensor& x, const std::vector<torch::nn::Linear>& linears,
                                   const std::vector<double>& scales) {
  auto scale_of = [&](size_t i) { return i < scales.size() ? scales[i] : 1.0; };
  std::vector<torch::Tensor> out;
  if (!fused_flag() || linears.size() == 1) {
    for (size_t i = 0; i < linears.size(); ++i) {
      auto y = torch::linear(x, linears[i]->weight, linears[i]->bias);
      out.push_back(scale_of(i) == 1.0 ? y : y * scale_of(i));
    }
    return out;
  }
  std::vector<torch::Tensor> weights, biases;
  std::vector<int64_t> widths;
  for (size_t i = 0; i < linears.size(); ++i) {
    const auto& l = linears[i];
    const double s = scale_of(i);
    weights.push_back(s == 1.0 ? l->weight : l->weight * s);  // (D_out,D_in)
    biases.push_back(s == 1.0 ? l->bias : l->bias * s);       // (D_out)
    widths.push_back(l->weight.size(0));
  }
  const auto y = torch::linear(x, torch::cat(weights), torch::cat(biases));  // (...,sum D_out)
  return y.split_with_sizes(widths, -1);                                      // views, one per layer
}

}  // namespace lra
