#pragma once
// The run's AdamW: one group for every parameter, plus one per parameter-group rule the model declares
// (ModelEntry::parameter_groups: e.g. an SSM's A and dt at their own rate, without weight decay).
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "lra/config/run_config.h"
#include "models/registry.h"

namespace lra {

class RunOptimizer {
 public:
  RunOptimizer(torch::nn::Module& module, const TrainSettings& train, const std::vector<ParameterGroupRule>& rules);

  torch::optim::AdamW& adamw() { return *adamw_; }
  // Sets each group's rate for this update: `lr` (the schedule's) scaled by group lr / train.lr.
  void set_lr(double lr);
  // The groups as a report shows them: [{name, parameters, lr, weight_decay}] (the default group first).
  Json groups_json() const { return groups_; }

 private:
  std::unique_ptr<torch::optim::AdamW> adamw_;
  std::vector<double> lr_scale_;  // per group
  Json groups_ = Json::array();
};

}  // namespace lra
