#include "lra/sweep/sweep_plan.h"

#include "core/sha256.h"
#include "lra/config/cell_config.h"

namespace lra {

std::string run_config_sha256(const SweepRun& run, const std::string& config_dir) {
  Json config = resolve_run_config({run.task, run.model, run.profile, {}, config_dir}, run.seed, run.precision);
  if (run.protocol == "scratch") config.erase("pretrain");
  return sha256_hex(config.dump());
}

std::vector<SweepRun> plan_sweep(const SweepRequest& request) {
  std::vector<SweepRun> runs;
  auto add = [&](const std::string& task, const std::string& model, int seed, const std::string& protocol) {
    const std::string folder = run_folder_for(task, model, seed, protocol);
    for (const auto& planned : runs)
      if (planned.run_folder == folder) return;  // an extra cell the table already runs
    SweepRun run;
    run.index = static_cast<int>(runs.size());
    run.task = task;
    run.model = model;
    run.seed = seed;
    run.protocol = protocol;
    run.run_folder = folder;
    run.profile = request.plan.profile;
    run.precision = request.precision;
    run.data_dir = request.data_dir;
    run.config_sha256 = run_config_sha256(run, request.config_dir);
    runs.push_back(run);
  };
  auto add_cell = [&](const std::string& task, const std::string& model, int seed) {
    add(task, model, seed, "scratch");
    if (request.plan.spt) add(task, model, seed, "spt");
  };
  for (int seed = 1; seed <= request.plan.seeds; ++seed)
    for (const auto& task : request.plan.tasks)
      for (const auto& model : request.plan.models) add_cell(task, model, seed);
  for (const auto& cell : request.extra_cells)
    for (int seed = 1; seed <= cell.seeds; ++seed) add_cell(cell.task, cell.model, seed);
  return runs;
}

}  // namespace lra
