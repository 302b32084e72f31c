// lra eval: accuracy of a saved checkpoint on one split, optionally with per-example predictions.
#include <fstream>
#include <iostream>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/cli/commands.h"
#include "lra/report/run_inputs.h"
#include "lra/train/evaluate_checkpoint.h"

namespace lra::cli {

namespace {

struct EvalOptions {
  std::string checkpoint, data_dir, split = "test", predictions, device = "cpu", accept_changed;
  int64_t batch_size = 0;
};

int run_eval(const EvalOptions& options) {
  const Checkpoint checkpoint = read_checkpoint(options.checkpoint);
  const EvalResult result = evaluate_checkpoint(
      checkpoint, options.checkpoint,
      {options.data_dir, options.split, options.batch_size, !options.predictions.empty(), options.device,
       parse_accepted_changes(options.accept_changed)});
  const Json& config = checkpoint.config;
  std::cout << config.at("task").at("name").get<std::string>() << " / "
            << config.at("model").at("name").get<std::string>() << " / " << options.split << ": accuracy " << result.accuracy() << " (" << result.correct << "/" << result.examples << "), loss "
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
  eval->add_option("--accept-changed", options->accept_changed,
                   "evaluate although the data or the model's module file differ from what the checkpoint recorded "
                   "(data, model; comma-separated)");
  eval->callback([&action, options] { action = [options] { return run_eval(*options); }; });
}

}  // namespace lra::cli
