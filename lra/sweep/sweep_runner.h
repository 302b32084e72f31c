#pragma once
// `lra sweep`: runs lines of a sweep manifest one after the other (or --jobs N at a time), each as its own `lra train --reuse` (and
// `lra pretrain` first for an "spt" line) process of this same executable, its output in
// <sweep>/logs/<kind>-<task>-<model>-seed<s>.log. A finished run of the same commit and config is reused, an
// interrupted one resumes from its checkpoint, so running a line again (a resubmitted Slurm array task) is
// always safe. A line holds an exclusive lock on its run folder while it runs: a second process given the
// same line (an old array task still alive) reports it busy instead of writing beside it. A line whose config no
// longer resolves to the manifest's hash (a profile edited after planning) is not run: "CHANGED" names the key,
// unless --accept-changed config lets it run as it is now (its run report records that).
#include <string>
#include <vector>

#include "lra/report/sweep_manifest.h"

namespace lra {

struct SweepOptions {
  std::string manifest;    // path of the manifest the lines come from (their folders are relative to it)
  std::string config_dir;  // passed on as --config-dir ("" = the children's default)
  int threads = 0;         // passed on as --threads (0 = the children's default)
  std::string device;      // passed on as --device ("" = the children's default, cpu)
  int jobs = 1;            // runs at a time, each taking the next line (threads: the CPUs / jobs)
  std::string accept_changed;  // passed on as --accept-changed; "config" also runs a line whose config changed
};

// One line per run as it finishes (printed as it goes): "done    ..." / "FAILED  ..." / "BUSY    ..." /
// "CHANGED ...".
struct SweepResult {
  std::vector<std::string> lines;
  int failed = 0;
  bool stopped = false;  // SIGINT/SIGTERM: the running child checkpointed and stopped; no later line started
};

SweepResult run_sweep(const std::vector<SweepRun>& runs, const SweepOptions& options);

}  // namespace lra
