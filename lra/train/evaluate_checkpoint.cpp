#include "lra/train/evaluate_checkpoint.h"

#include <cstdio>
#include <filesystem>

#include "core/errors.h"
#include "core/sha256.h"
#include "lra/config/run_config.h"
#include "lra/report/run_inputs.h"
#include "lra/runtime/device.h"
#include "lra/runtime/runtime.h"
#include "models/registry.h"
#include "models/script/script_mixer.h"
#include "models/state_dict.h"
#include "tasks/registry.h"

namespace lra {

namespace {

namespace fs = std::filesystem;

// The config to build the model from: a script model whose file no longer has the recorded SHA-256 (or is
// gone) is built from the run's kept copy, unless --accept-changed model asks for the file as it is now.
Json with_recorded_module(Json config, const Json& recorded_inputs, const std::string& source,
                          const std::set<std::string>& accept_changed) {
  const Json recorded = recorded_inputs.is_object() ? recorded_inputs.value("model_source", Json()) : Json();
  if (!recorded.is_object() || accept_changed.count(kInputModel)) return config;
  const std::string file = recorded.value("file", ""), sha256 = recorded.value("sha256", "");
  std::error_code error;
  const bool present = fs::is_regular_file(file, error);
  if (present && file_sha256(file) == sha256) return config;
  const std::string copy = kept_model_source_for_checkpoint(source, sha256);
  if (!fs::is_regular_file(copy, error)) return config;  // refused below, naming the file
  std::fprintf(stderr, "lra: note: %s %s; evaluating the run's own copy %s, the module its weights belong to\n",
               file.c_str(), present ? "has changed since the run" : "is gone", copy.c_str());
  config["model"]["name"] = kScriptModelPrefix + copy;
  return config;
}

}  // namespace

EvalResult evaluate_checkpoint(const Checkpoint& checkpoint, const std::string& source,
                               const CheckpointEvalOptions& options) {
  const Json recorded_inputs = checkpoint.meta.value("inputs", Json());
  const Json config = with_recorded_module(checkpoint.config, recorded_inputs, source, options.accept_changed);
  const RunConfig run = parse_run_config(config);
  if (run.objective != "classification")
    throw UserError(source + ": a pretraining checkpoint (objective \"" + run.objective +
                    "\") has no classifier to evaluate; hint: fine-tune it with lra train --init-from, then evaluate "
                    "that");
  if (options.split != "train" && options.split != "val" && options.split != "test")
    throw UserError("--split " + options.split + ": expected train, val or test");
  // The data and module the weights were trained with, or a word that they are not.
  Json accepted = Json::array();
  const auto refused = refuse_unless_accepted(
      changed_inputs(nullptr, recorded_inputs, config, current_inputs(config, options.data_dir), {kInputData, kInputModel}),
      options.accept_changed, accepted);
  if (!refused.empty())
    throw UserError(source + ": " + describe_changes(refused) +
                    "; hint: evaluate on the data and module the run used (regenerate or restore them), or pass " +
                    accept_flag_for(refused) + " to evaluate anyway");
  for (const auto& change : accepted)
    std::fprintf(stderr, "lra: note: evaluating anyway (--accept-changed %s): %s\n",
                 change["input"].get<std::string>().c_str(), change["what"].get<std::string>().c_str());
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
