#include "lra/train/evaluate_checkpoint.h"

#include "core/errors.h"
#include "lra/config/run_config.h"
#include "lra/runtime/device.h"
#include "lra/runtime/runtime.h"
#include "models/registry.h"
#include "models/state_dict.h"
#include "tasks/registry.h"

namespace lra {

EvalResult evaluate_checkpoint(const Checkpoint& checkpoint, const std::string& source,
                               const CheckpointEvalOptions& options) {
  const Json& config = checkpoint.config;
  const RunConfig run = parse_run_config(config);
  if (run.objective != "classification")
    throw UserError(source + ": a pretraining checkpoint (objective \"" + run.objective +
                    "\") has no classifier to evaluate; hint: fine-tune it with lra train --init-from, then evaluate "
                    "that");
  if (options.split != "train" && options.split != "val" && options.split != "test")
    throw UserError("--split " + options.split + ": expected train, val or test");
  apply_runtime_settings(run.runtime);
  const torch::Device device = parse_device(options.device);
  ClassifierModel model = build_model(config);
  load_state_dict(*model, checkpoint.model);
  model->to(device);
  TaskSplits splits = load_task(options.data_dir, config);
  const Dataset& data = options.split == "train" ? splits.train : options.split == "val" ? splits.val : splits.test;
  const int64_t batch = options.batch_size > 0 ? options.batch_size : run.train.eval_batch_size;
  return evaluate(*model, data, task_info_from_config(config), batch, 0, options.keep_predictions, device);
}

}  // namespace lra
