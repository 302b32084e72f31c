#pragma once
// Where a run writes, and its report. Layout under the run's output folder
// (default results/<profile>/<task>/<model>/):
//   <run-id>.json                     the run report (schema below, version kReportSchemaVersion)
//   latest.json                       a copy of the most recently written report (atomically replaced)
//   checkpoints/<run-id>/last.ckpt    resume point (model + optimiser + RNG + data position)
//   checkpoints/<run-id>/best.ckpt    weights with the best validation accuracy
// Run ids are unique (UTC time + pid + random), so concurrent runs never clobber each other.
#include <cstdint>
#include <string>

#include "lra/config.h"

namespace lra {

constexpr int kReportSchemaVersion = 1;

struct RunPaths {
  std::string out_dir;
  std::string run_id;
  std::string report;
  std::string latest;
  std::string last_checkpoint;
  std::string best_checkpoint;
};

std::string new_run_id();
RunPaths run_paths(const std::string& out_dir, const std::string& run_id);

// Letters, digits, '-', '_', '.' (not first): a run id names files, so it can never name a path.
bool is_run_id(const std::string& text);

// The run id recorded in out_dir/latest.json, or "" when there is none; UserError when latest.json
// exists but is not a report with a valid run id.
std::string latest_run_id(const std::string& out_dir);

// steps_done of a run report; 0 when the file is missing or unreadable.
int64_t reported_steps(const std::string& report_path);

// Writes the report to paths.report and then latest.json, each atomically.
void write_run_report(const RunPaths& paths, const Json& report);

}  // namespace lra
