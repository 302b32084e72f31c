#pragma once
// Where a run writes, and its report. Layout under the run's output folder
// (default runs/<profile>/<task>/<model>/seed-<seed>/):
//   <run-id>.json                     the run report (schema below, version kReportSchemaVersion)
//   latest.json                       a copy of the most recently written report (atomically replaced)
//   checkpoints/<run-id>/last.ckpt    resume point (model + optimiser + RNG + data position)
//   checkpoints/<run-id>/best.ckpt    weights with the best validation accuracy
// Run ids are unique (UTC time + pid + random), so concurrent runs never clobber each other.
#include <cstdint>
#include <string>
#include <vector>

#include "lra/config/config.h"
#include "lra/report/sweep_manifest.h"

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

// One run report file as readers see it: the document, or why it cannot be used (`problem`, for the
// user: not readable, empty, truncated, not JSON, another schema version, not a run report).
struct RunReportFile {
  Json report;          // null when problem is set
  std::string problem;  // "" when the report is usable
};
RunReportFile read_run_report(const std::string& path);

// A file under a results folder that no reader used, and why.
struct LeftOutReport {
  std::string path;
  std::string why;
  // The cell and seed its folder names when it lies in the standard layout <task>/<model>/seed-<s>/
  // (seed -1 otherwise), so a table can count an unreadable seed as such.
  std::string task, model;
  int64_t seed = -1;
};

// A run of a sweep's manifest that has no finished report in its folder: status "missing" (no
// latest.json), "unreadable", or the report's own status (interrupted, running, failed).
struct SweepGap {
  SweepRun run;
  std::string status;
};

// Every run report under a folder (latest.json of each run folder), and every one left out.
struct RunReportScan {
  std::vector<Json> runs;                   // usable, one per run key (see collect_run_reports)
  std::vector<LeftOutReport> unusable;      // could not be read as a run report: the input is partial
  std::vector<LeftOutReport> superseded;    // a usable report of the same run key with an earlier run id
  // When the folder is a sweep's (<dir>/sweep/manifest.tsv): its path, its number of runs, and every run of it
  // that did not finish; a manifest that cannot be read is in `unusable`.
  std::string manifest;
  int sweep_runs = 0;
  std::vector<SweepGap> sweep_gaps;
  // Usable runs whose inputs disagree (lra/report/run_inputs.h): a run of the sweep whose config is not its
  // manifest line's, or a seed whose data fingerprint differs from the other seeds of its cell. They stay in
  // the tables; the report names each one and is PARTIAL. Reports that record no inputs are not judged.
  std::vector<LeftOutReport> input_mismatches;
};

// UserError (exit 2) when dir does not exist or is not a folder.
RunReportScan scan_run_reports(const std::string& dir);

// steps_done of a run report; 0 when the file is missing or unreadable.
int64_t reported_steps(const std::string& report_path);

// Writes the report to paths.report and then latest.json, each atomically.
void write_run_report(const RunPaths& paths, const Json& report);

// Every run report (latest.json of each run folder) under dir, one per (task, model, seed, profile,
// dtype, protocol): where two folders hold the same one, the later run id wins. Sorted by that key.
// The usable runs of scan_run_reports; [] when dir does not exist (callers that need the reports
// left out, or an error for a missing folder, use scan_run_reports).
std::vector<Json> collect_run_reports(const std::string& dir);

// A report's status as readers should show it: "running" only while the process that wrote it is
// alive (a run killed with SIGKILL cannot say so itself): "running (process gone)" when its pid no
// longer exists on this host.
std::string effective_status(const Json& run_report);

// The protocol of a run report: "pretrain" (lra pretrain: no accuracy), "spt" (lra train --init-from:
// fine-tuned from a pretraining) or "scratch" (lra train, the LRA protocol).
std::string run_protocol(const Json& run_report);

// The reports of one protocol, in order.
std::vector<Json> runs_of_protocol(const std::vector<Json>& runs, const std::string& protocol);

// The report's seed (0 when it records none, as very old reports).
int64_t report_seed(const Json& run_report);

// Whether a commit string names a build from a tree with uncommitted changes ("<hash>-dirty").
bool is_dirty_commit(const std::string& commit);

// "G" generated by the real task generator, "S" substitute data, "R" the official release.
std::string data_mark(const Json& run_report);

// Whether an earlier report in a run folder may be reused by a run of `config` from this binary, whose
// inputs are `inputs_now` (lra/report/run_inputs.h): only a report made by the same lra commit (a clean
// tree) with the same resolved config, model source and data (its fingerprint, read from the same folder).
// `reason` says why not (for the user: what changed, old and new), empty when reusable.
struct ReuseDecision {
  bool same_run = false;
  std::string reason;
};
ReuseDecision reuse_decision(const Json& earlier_report, const Json& config, const Json& inputs_now,
                             const std::string& data_dir);

}  // namespace lra
