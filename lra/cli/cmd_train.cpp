// lra train: train one (task, model) cell and write its run report.
#include "lra/cli/commands.h"
#include "lra/runtime.h"
#include "lra/trainer.h"

namespace lra::cli {

void add_train_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* train = app.add_subcommand("train", "train a model on a task; writes a run report and checkpoints");
  auto config_options = std::make_shared<ConfigOptions>();
  auto options = std::make_shared<TrainOptions>();
  auto seed = std::make_shared<int64_t>(-1);
  auto precision = std::make_shared<std::string>();
  add_config_options(*train, *config_options);
  train->add_option("--data-dir", options->data_dir, "root of the LRA release layout (or of generated data)")
      ->required();
  train->add_option("--out", options->out_dir, "output folder (default runs/<profile>/<task>/<model>/seed-<seed>)");
  train->add_flag("--resume", options->resume, "continue the run recorded in <out>/latest.json from its checkpoint");
  train->add_flag("--reuse", options->reuse,
                  "if <out>/latest.json is a run of this lra commit with this config and data: completed -> "
                  "report it and exit, interrupted -> resume; anything else -> start a new run (said so)");
  train->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  train->add_option("--seed", *seed, "random seed (same as --set train.seed=S)");
  train->add_option("--precision", *precision, "fp32, bf16 (CPU or CUDA autocast) or fp16 (CUDA)");
  train->add_option("--stop-after", options->stop_after,
                    "checkpoint and stop after N updates (continue later with --resume)");
  train->add_flag("--quiet", options->quiet, "no progress output");
  auto& dist = options->distributed;
  train->add_option("--world-size", dist.world_size, "data-parallel processes in all (default $WORLD_SIZE or 1)");
  train->add_option("--rank", dist.rank, "this process's rank, 0..world-size-1 (default $RANK or 0)");
  train->add_option("--dist-url", dist.url,
                    "rendezvous: tcp://HOST:PORT on rank 0's host (default tcp://$MASTER_ADDR:$MASTER_PORT) or "
                    "file:///shared/path");
  train->add_option("--dist-timeout", dist.timeout_s, "seconds to wait for a silent rank before failing")
      ->capture_default_str();
  train->callback([&global, &action, config_options, options, seed, precision] {
    action = [&global, config_options, options, seed, precision] {
      ConfigRequest request{config_options->task, config_options->model, config_options->profile,
                            config_options->overrides, global.config_dir};
      if (*seed >= 0) request.overrides.push_back("train.seed=" + std::to_string(*seed));
      if (!precision->empty()) request.overrides.push_back("runtime.precision=" + *precision);
      Json config = resolve_config(request);
      apply_runtime_settings(config);
      TrainOptions resolved = *options;
      resolved.distributed = distributed_from_environment(options->distributed);
      return run_training(config, resolved);
    };
  });
}

}  // namespace lra::cli
