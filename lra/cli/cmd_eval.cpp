// lra eval: accuracy of a saved checkpoint on one split, optionally with per-example predictions.
#include <fstream>
#include <iostream>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "lra/train/checkpoint.h"
#include "lra/cli/commands.h"
#include "lra/runtime/device.h"
#include "core/errors.h"
#include "lra/train/evaluate.h"
#include "models/registry.h"
#include "models/state_dict.h"
#include "tasks/registry.h"

namespace lra::cli {

namespace {

struct EvalOptions {
  std::string checkpoint, data_dir, split = "test", predictions, device = "cpu";
  int64_t batch_size = 0;
};

int run_eval(const EvalOptions& options) {
  Checkpoint checkpoint = read_checkpoint(options.checkpoint);
  const Json& config = checkpoint.config;
  if (config.value("objective", "classification") != "classification")
    throw UserError(options.checkpoint + ": a pretraining checkpoint (objective " + config["objective"].dump() +
                    ") has no classifier to evaluate; hint: fine-tune it with lra train --init-from, then evaluate that");
  const torch::Device device = parse_device(options.device);
  ClassifierModel model = build_model(config);
  load_state_dict(*model, checkpoint.model);
  model->to(device);
  TaskSplits splits = load_task(options.data_dir, config);
  const Dataset* data = options.split == "train" ? &splits.train
                        : options.split == "val" ? &splits.val
                        : options.split == "test" ? &splits.test
                                                  : nullptr;
  if (!data) throw UserError("--split " + options.split + ": expected train, val or test");
  const TaskInfo task = task_info_from_config(config);
  const int64_t batch =
      options.batch_size > 0 ? options.batch_size : config.at("train").at("eval_batch_size").get<int64_t>();
  EvalResult result = evaluate(*model, *data, task, batch, 0, !options.predictions.empty(), device);
  std::cout << task.name << " / " << config.at("model").at("name").get<std::string>() << " / " << options.split
            << ": accuracy " << result.accuracy() << " (" << result.correct << "/" << result.examples << "), loss "
            << result.loss() << "\n";
  if (!options.predictions.empty()) {
    write_atomically(options.predictions, [&](const std::string& temp) {
      std::ofstream out(temp);
      out << "id\tlabel\tpredicted\tlogits\n";
      for (const auto& p : result.predictions) {
        out << p.id << "\t" << p.label << "\t" << p.predicted << "\t";
        for (size_t i = 0; i < p.logits.size(); ++i) out << (i ? "," : "") << p.logits[i];
        out << "\n";
      }
      if (!out) throw UserError("cannot write " + temp);
    });
    std::cout << "predictions: " << options.predictions << "\n";
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  auto* eval = app.add_subcommand("eval", "accuracy of a saved checkpoint on one split");
  auto options = std::make_shared<EvalOptions>();
  eval->add_option("--checkpoint", options->checkpoint, "a best.ckpt or last.ckpt written by lra train")->required();
  eval->add_option("--data-dir", options->data_dir, "root of the LRA release layout")->required();
  eval->add_option("--split", options->split, "train, val or test")->capture_default_str();
  eval->add_option("--predictions", options->predictions, "write per-example id, label, predicted, logits (TSV)");
  eval->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  eval->add_option("--batch-size", options->batch_size, "evaluation batch size (default train.eval_batch_size)");
  eval->callback([&action, options] { action = [options] { return run_eval(*options); }; });
}

}  // namespace lra::cli
