#pragma once
// What `./run_all.sh` is about to run and how long it should take, said before it starts: cells x
// seeds, the output folder, and an estimate from the wall times of a committed reference run of the
// same profile (per task and model, mean over its seeds; a run that had 1 of 2 hardware threads counts
// half, since it ran beside another).
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

struct RunPlan {
  std::string profile;
  std::vector<std::string> tasks, models;
  int seeds = 1;
  std::string out_dir;        // where the runs are written
  std::string reference_dir;  // committed reference run used for the estimate ("" = none)
  bool spt = false;           // run_all.sh --spt: each run also pretrains, then fine-tunes
};

struct PlanEstimate {
  int runs = 0;                // tasks x models x seeds
  int timed = 0;               // runs with a reference time
  double seconds = 0.0;        // sum of the reference times of the timed runs
  std::string reference_note;  // CPU, threads, commit(s) of the reference
};

// Estimates from run reports (collect_run_reports of the reference folder).
PlanEstimate estimate_plan(const RunPlan& plan, const std::vector<Json>& reference_runs);

// The lines printed before the work starts.
std::string plan_text(const RunPlan& plan, const PlanEstimate& estimate);

}  // namespace lra
