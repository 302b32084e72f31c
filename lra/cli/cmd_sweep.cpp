// lra sweep MANIFEST [--index I | --shard i/N]: runs lines of a sweep manifest (lra plan --manifest), each as
// `lra train --reuse` into its run folder. run_all.sh runs every line; a Slurm array task runs line
// $SLURM_ARRAY_TASK_ID; any other engine runs a deterministic --shard. Exit 0 when every run it ran finished,
// 1 when one failed (or was busy in another process), 130 when stopped by SIGINT/SIGTERM.
#include <iostream>
#include <memory>

#include "lra/cli/commands.h"
#include "lra/sweep/sweep_runner.h"
#include "core/errors.h"

namespace lra::cli {

namespace {

struct SweepCommandOptions {
  std::string manifest;
  int index = -1;
  std::string shard;
  std::string device;
  int jobs = 1;
  std::string accept_changed;
};

}  // namespace

void add_sweep_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* sweep = app.add_subcommand("sweep", "run lines of a sweep manifest (all, --index I, or --shard i/N), "
                                            "each as lra train --reuse");
  auto o = std::make_shared<SweepCommandOptions>();
  sweep->add_option("manifest", o->manifest, "the manifest, <out>/sweep/manifest.tsv (lra plan --manifest)")
      ->required();
  auto* index = sweep->add_option("--index", o->index, "run only line I (0-based; a Slurm array task's index)")
                    ->check(CLI::NonNegativeNumber);
  sweep->add_option("--shard", o->shard, "run only shard i of N (1-based): every N-th line from the i-th")
      ->excludes(index);
  sweep->add_option("--jobs", o->jobs, "runs at a time, each taking the next line; each gets the CPUs / N "
                                      "threads unless --threads is given (1..256)")
      ->check(CLI::Range(1, 256));
  sweep->add_option("--device", o->device, "passed on to every run: cpu, cuda or cuda:N (default: lra train's, cpu)");
  sweep->add_option("--accept-changed", o->accept_changed,
                    "run lines whose config changed since planning (config), and pass the list on to every run "
                    "(lra train --accept-changed: config, data, model, commit)");
  sweep->callback([&global, &action, o] {
    action = [&global, o] {
      std::vector<SweepRun> runs = read_manifest(o->manifest);
      if (o->index >= 0) {
        if (o->index >= static_cast<int>(runs.size()))
          throw UserError("--index " + std::to_string(o->index) + ": " + o->manifest + " has lines 0.." +
                          std::to_string(runs.size() - 1) + "; hint: submit the array as --array=0-" +
                          std::to_string(runs.size() - 1));
        runs = {runs[static_cast<size_t>(o->index)]};
      } else if (!o->shard.empty()) {
        const auto [shard, shards] = parse_shard(o->shard);
        runs = manifest_shard(runs, shard, shards);
      }
      const SweepResult result = run_sweep(runs, {o->manifest, global.config_dir, global.threads, o->device, o->jobs,
                                                   o->accept_changed});
      if (result.stopped) {
        std::cerr << "lra sweep: stopped; run the same command again to resume\n";
        return 130;
      }
      if (result.failed > 0) {
        std::cerr << "lra sweep: " << result.failed << " of " << runs.size() << " runs did not finish (see above)\n";
        return 1;
      }
      return 0;
    };
  });
}

}  // namespace lra::cli
