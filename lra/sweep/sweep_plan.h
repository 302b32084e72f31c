#pragma once
// The manifest of a sweep (lra/report/sweep_manifest.h) from a run plan: every (seed, task, model) of the
// table in run_all.sh's order (seed by seed, so a sweep cut short leaves whole tables at fewer seeds), an "spt"
// line after each scratch line with --spt, then the profile's extra cells; each with its resolved-config hash.
#include <string>
#include <vector>

#include "lra/config/config.h"
#include "lra/config/config_files.h"
#include "lra/report/run_plan.h"
#include "lra/report/sweep_manifest.h"

namespace lra {

struct SweepRequest {
  RunPlan plan;                       // profile, tasks, models, seeds, spt
  std::vector<ExtraCell> extra_cells;  // run after the table, at their own seed counts
  std::string precision = "fp32";
  std::string data_dir;
  std::string config_dir;  // "" = default_config_dir()
};

std::vector<SweepRun> plan_sweep(const SweepRequest& request);

// The config a run of this line resolves to before it starts, as `lra train` (scratch: without the pretrain.*
// keys) or `lra pretrain` (spt) resolves it, and its SHA-256 (lra/report/run_inputs.h: config_sha256).
Json planned_run_config(const SweepRun& run, const std::string& config_dir);
std::string run_config_sha256(const SweepRun& run, const std::string& config_dir);

// Writes each line's planned config beside the manifest (planned_config_path), one file per distinct hash.
void write_planned_configs(const std::string& manifest_path, const std::vector<SweepRun>& runs,
                           const std::string& config_dir);

// "" when the line's config resolves as planned; else one line naming what changed since planning: the
// first differing key with its planned and current values (from the planned config kept beside the
// manifest), or the two hashes when that file is gone.
std::string planned_config_change(const std::string& manifest_path, const SweepRun& run, const std::string& config_dir);

}  // namespace lra
