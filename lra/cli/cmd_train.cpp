// lra train: train one (task, model) cell and write its run report; lra pretrain: self-pretrain its
// encoder with masked-token denoising (the same runner, another objective).
#include "lra/config/cell_config.h"
#include "lra/cli/commands.h"
#include "lra/train/self_pretraining.h"
#include "lra/train/trainer.h"

namespace lra::cli {
namespace {

// The options `lra train` and `lra pretrain` share, and the config they resolve.
struct RunCommand {
  ConfigOptions config;
  TrainOptions train;
  int64_t seed = -1;
  std::string precision;
  std::string init_from;

  Json resolve(const GlobalOptions& global) const {
    return resolve_run_config({config.task, config.model, config.profile, config.overrides, global.config_dir}, seed,
                              precision);
  }
  int run(Json config) const {
    TrainOptions resolved = train;
    resolved.distributed = distributed_from_environment(train.distributed);
    return run_training(config, resolved);
  }
};

CLI::App* add_run_command(CLI::App& app, const char* name, const char* description, RunCommand& run) {
  auto* command = app.add_subcommand(name, description);
  TrainOptions& options = run.train;
  add_config_options(*command, run.config);
  command->add_option("--data-dir", options.data_dir, "root of the LRA release layout (or of generated data)")
      ->required();
  command->add_option("--out", options.out_dir,
                      "output folder (default runs/<profile>/<task>/<model>/seed-<seed>; pretrain-seed-<seed> for "
                      "lra pretrain, spt-seed-<seed> with --init-from)");
  command->add_flag("--resume", options.resume, "continue the run recorded in <out>/latest.json from its checkpoint");
  command->add_flag("--reuse", options.reuse,
                    "if <out>/latest.json is a run of this lra commit with this config and data: completed -> "
                    "report it and exit, interrupted -> resume; anything else -> start a new run (said so)");
  command->add_option("--device", options.device, "cpu, cuda or cuda:N")->capture_default_str();
  command->add_option("--seed", run.seed, "random seed (same as --set train.seed=S)");
  command->add_option("--precision", run.precision, "fp32, bf16 (CPU or CUDA autocast) or fp16 (CUDA)");
  command->add_option("--stop-after", options.stop_after,
                      "checkpoint and stop after N updates (continue later with --resume)");
  command->add_flag("--quiet", options.quiet, "no progress output");
  auto& dist = options.distributed;
  command->add_option("--world-size", dist.world_size, "data-parallel processes in all (default $WORLD_SIZE or 1)");
  command->add_option("--rank", dist.rank, "this process's rank, 0..world-size-1 (default $RANK or 0)");
  command->add_option("--dist-url", dist.url,
                      "rendezvous: tcp://HOST:PORT on rank 0's host (default tcp://$MASTER_ADDR:$MASTER_PORT) or "
                      "file:///shared/path");
  command->add_option("--dist-timeout", dist.timeout_s, "seconds to wait for a silent rank before failing")
      ->capture_default_str();
  return command;
}

}  // namespace

void add_train_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto run = std::make_shared<RunCommand>();
  auto* train = add_run_command(app, "train", "train a model on a task; writes a run report and checkpoints", *run);
  train->add_option("--init-from", run->init_from,
                    "fine-tune from the encoder of a self-pretraining run (lra pretrain): its run folder or "
                    "checkpoint; the run trains pretrain.finetune_steps updates (0: train.steps minus the "
                    "pretraining's, equal updates in all)");
  train->callback([&global, &action, run] {
    action = [&global, run] {
      Json config = run->resolve(global);
      // --set train.init_from=X means the same as --init-from X.
      const std::string from = !run->init_from.empty() ? run->init_from : config["train"]["init_from"].get<std::string>();
      if (!from.empty()) config = finetune_config(config, read_pretrained_encoder(from));
      // From scratch the pretrain.* keys do nothing: left out, a changed pretraining budget does not make
      // --reuse re-run (or --resume refuse) the scratch runs.
      else config.erase("pretrain");
      return run->run(config);
    };
  });
}

void add_pretrain_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto run = std::make_shared<RunCommand>();
  auto* pretrain = add_run_command(
      app, "pretrain",
      "self-pretrain a model's encoder: masked-token denoising on the task's training inputs (pretrain.* keys); "
      "then lra train --init-from <out>",
      *run);
  pretrain->callback([&global, &action, run] {
    action = [&global, run] { return run->run(pretraining_config(run->resolve(global))); };
  });
}

}  // namespace lra::cli
