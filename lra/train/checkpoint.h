#pragma once
// Run checkpoints, written atomically with torch::pickle_save so Python reads them with torch.load:
//   {"format": "lra-checkpoint", "version": 1,
//    "config": <resolved config, JSON text>, "meta": <step, data position, best-val, curves: JSON text>,
//    "model": {parameter name: tensor},          <- the model's state dict (models/state_dict.h)
//    "optimizer": <uint8 tensor: libtorch's own serialisation of the optimiser state>,  (resume only)
//    "rng": <uint8 tensor: the CPU generator state>}                                   (resume only)
#include <optional>
#include <string>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include "lra/config/config.h"

namespace lra {

constexpr int kCheckpointVersion = 1;

struct Checkpoint {
  Json config;
  Json meta;
  c10::Dict<std::string, at::Tensor> model;
  std::optional<at::Tensor> optimizer;  // serialised bytes
  std::optional<at::Tensor> rng;
};

// optimizer == nullptr writes a weights-only checkpoint (e.g. the best-validation one).
void save_checkpoint(const std::string& path, const Json& config, const Json& meta, const torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, bool with_rng);

// A weights-only checkpoint of a saved state dict (the best-validation weights kept in memory).
void save_state_checkpoint(const std::string& path, const Json& config, const Json& meta,
                           const c10::Dict<std::string, at::Tensor>& model);

// UserError naming the file for a missing, corrupt or foreign file, or a wrong version.
Checkpoint read_checkpoint(const std::string& path);
// The same from the file's bytes (label names the source in errors).
Checkpoint parse_checkpoint(const std::string& bytes, const std::string& label);

void restore_optimizer(torch::optim::Optimizer& optimizer, const at::Tensor& bytes);
void restore_cpu_rng(const at::Tensor& state);

}  // namespace lra
