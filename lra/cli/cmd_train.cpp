// lra train: train one (task, model) cell and write its run report; lra pretrain: self-pretrain its
// encoder with masked-token denoising (the same runner, another objective).
#include "lra/config/cell_config.h"
#include "lra/cli/commands.h"
#include "lra/report/run_inputs.h"
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
  std::string accept_changed;

  Json resolve(const GlobalOptions& global) const {
    return resolve_run_config({config.task, config.model, config.profile, config.overrides, global.config_dir}, seed,
                              precision);
  }
  // resolved: the config as resolved from the files and flags (what a sweep manifest hashes); config: what
  // the run trains (--init-from and pretraining adjust it).
  int run(const Json& resolved, const Json& config) const {
    TrainOptions options = train;
    options.distributed = distributed_from_environment(train.distributed);
    options.resolved_config_sha256 = config_sha256(resolved);
    options.accept_changed = parse_accepted_changes(accept_changed);
    return run_training(config, options);
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
  command->add_option("--accept-changed", run.accept_changed,
                      "go on although these inputs differ from what the resumed run, the --init-from pretraining or "
                      "the sweep manifest recorded: any of config, data, model, commit (comma-separated; recorded in "
                      "the run report)");
  command->add_option("--manifest-config-sha256", options.manifest_config_sha256,
                      "the SHA-256 the sweep manifest's line planned for this run's config (set by lra sweep): a "
                      "config resolved differently now is refused");
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
      if (!from.empty()) return run->run(config, finetune_config(config, read_pretrained_encoder(from)));
      // From scratch the pretrain.* keys do nothing: left out, a changed pretraining budget does not make
      // --reuse re-run (or --resume refuse) the scratch runs.
      config.erase("pretrain");
      return run->run(config, config);
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
    action = [&global, run] {
      const Json resolved = run->resolve(global);
      return run->run(resolved, pretraining_config(resolved));
    };
  });
}

}  // namespace lra::cli
