#pragma once
// The manifest of a sweep (lra/report/sweep_manifest.h) from a run plan: every (seed, task, model) of the
// table in run_all.sh's order (seed by seed, so a sweep cut short leaves whole tables at fewer seeds), an "spt"
// line after each scratch line with --spt, then the profile's extra cells; each with its resolved-config hash.
#include <string>
#include <vector>

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

// The SHA-256 of the config a run of this line resolves to before it starts, as `lra train` (scratch: without
// the pretrain.* keys) or `lra pretrain` (spt) resolves it.
std::string run_config_sha256(const SweepRun& run, const std::string& config_dir);

}  // namespace lra
