#include "lra/sweep/sweep_plan.h"

#include <filesystem>
#include <set>

#include "core/atomic_file.h"
#include "lra/report/run_inputs.h"
#include "lra/config/cell_config.h"

namespace lra {

Json planned_run_config(const SweepRun& run, const std::string& config_dir) {
  Json config = resolve_run_config({run.task, run.model, run.profile, {}, config_dir}, run.seed, run.precision);
  if (run.protocol == "scratch") config.erase("pretrain");
  return config;
}

std::string run_config_sha256(const SweepRun& run, const std::string& config_dir) {
  return config_sha256(planned_run_config(run, config_dir));
}

void write_planned_configs(const std::string& manifest_path, const std::vector<SweepRun>& runs,
                           const std::string& config_dir) {
  std::set<std::string> written;
  for (const auto& run : runs)
    if (written.insert(run.config_sha256).second)
      write_json_atomically(planned_config_path(manifest_path, run.config_sha256), planned_run_config(run, config_dir));
}

std::string planned_config_change(const std::string& manifest_path, const SweepRun& run, const std::string& config_dir) {
  const Json now = planned_run_config(run, config_dir);
  const std::string now_sha256 = config_sha256(now);
  if (now_sha256 == run.config_sha256) return "";
  const std::string planned_path = planned_config_path(manifest_path, run.config_sha256);
  std::error_code error;
  if (std::filesystem::is_regular_file(planned_path, error)) {
    const Json planned = load_json_file(planned_path);
    if (config_sha256(planned) == run.config_sha256) {
      return "the config differs from the manifest's: " + first_difference_text(planned, now);
    }
  }
  return "the config differs from the manifest's: its SHA-256 is " + now_sha256.substr(0, 12) + ", the manifest planned " +
         run.config_sha256.substr(0, 12);
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
