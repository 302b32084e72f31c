#pragma once
// The parity check against an independent eager reference in Python (tests/reference/<script>.py under
// Debian's /usr/bin/python3): lra's eval-mode logits on a batch, its state dict and the batch go to the
// script, which recomputes the logits in float64 and once more after a known perturbation of the weights.
#include <cstdlib>
#include <fstream>
#include <string>

#include <torch/torch.h>

#include "core/batch.h"
#include "models/model.h"
#include "models/state_dict.h"
#include "run_support.h"

namespace lra::test {

struct PythonParity {
  double max_abs_diff = 0.0;            // lra's logits vs the reference's
  double perturbed_max_abs_diff = 0.0;  // the same after the script's perturbation (the control)
  double max_abs_logit = 0.0;           // lra's largest logit (a check that they are not all ~0)
};

// Runs `model` (in eval mode, without gradients) on `batch`, then tests/reference/<script> with the
// weights, the batch, lra's logits and `config` (written as JSON); fails the test when the script fails.
inline PythonParity python_parity(ClassifierModel& model, const Batch& batch, const std::string& script,
                                  const nlohmann::json& config, const std::string& scratch_name) {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
    FAIL("/usr/bin/python3 cannot import torch: run scripts/setup.sh (installs python3-torch)");
  model->eval();
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    logits = model->forward(batch);
  }
  const auto dir = scratch(scratch_name);
  const auto weights = (dir / "weights.pt").string(), inputs = (dir / "inputs.pt").string();
  save_state_dict_file(*model, weights);
  torch::nn::Module holder;
  holder.register_buffer("tokens", batch.tokens);
  holder.register_buffer("mask", batch.mask);
  holder.register_buffer("logits", logits);
  save_state_dict_file(holder, inputs);
  const auto cfg = (dir / "config.json").string(), out = (dir / "out.json").string();
  std::ofstream(cfg) << config.dump();
  const std::string command = "/usr/bin/python3 " + std::string(LRA_SOURCE_DIR) + "/tests/reference/" + script + " " +
                              weights + " " + inputs + " " + cfg + " " + out;
  REQUIRE(std::system(command.c_str()) == 0);
  const auto result = read_json(out);
  return {result["max_abs_diff"].get<double>(), result["perturbed_max_abs_diff"].get<double>(),
          logits.abs().max().item<double>()};
}

}  // namespace lra::test
