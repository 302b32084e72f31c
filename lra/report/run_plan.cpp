#include "lra/report/run_plan.h"

#include <map>
#include <set>
#include <sstream>

#include "lra/report/run_report.h"

namespace lra {

PlanEstimate estimate_plan(const RunPlan& plan, const std::vector<Json>& reference_runs) {
  PlanEstimate e;
  e.runs = static_cast<int>(plan.tasks.size() * plan.models.size()) * plan.seeds;
  std::map<std::pair<std::string, std::string>, std::pair<double, int>> wall;  // (task, model) -> (sum, count)
  std::set<std::string> cpus, commits;
  for (const auto& r : reference_runs) {
    if (r.value("status", "") != "completed" || r.value("profile", "") != plan.profile || !r.contains("timing") ||
        run_protocol(r) != "scratch")  // the table's own runs, not SPT's pretraining and fine-tuning
      continue;
    // A run that had part of the machine's threads ran beside others (run_all.sh --jobs): it took only
    // that share of the sweep's wall time.
    double share = 1.0;
    if (r.contains("environment")) {
      const int threads = r["environment"].value("threads", 0), hardware = r["environment"].value("hardware_threads", 0);
      if (threads > 0 && hardware > threads) share = static_cast<double>(threads) / hardware;
    }
    auto& w = wall[{r.value("task", ""), r.value("model", "")}];
    w.first += r["timing"].value("wall_seconds", 0.0) * share;
    w.second += 1;
    if (r.contains("environment")) {
      cpus.insert(r["environment"].value("cpu", "?") + ", " +
                  std::to_string(r["environment"].value("threads", 0)) + " threads");
      commits.insert(r["environment"].value("git_commit", "?"));
    }
  }
  for (const auto& task : plan.tasks)
    for (const auto& model : plan.models) {
      auto it = wall.find({task, model});
      if (it == wall.end()) continue;
      e.timed += plan.seeds;
      e.seconds += plan.seeds * it->second.first / it->second.second;
    }
  std::ostringstream note;
  for (const auto& c : cpus) note << (note.tellp() > 0 ? "; " : "") << c;
  note << (commits.size() == 1 ? ", commit" : ", commits");
  for (const auto& c : commits) note << " " << c;
  e.reference_note = cpus.empty() ? "" : note.str();
  return e;
}

std::string plan_text(const RunPlan& plan, const PlanEstimate& e) {
  std::ostringstream out;
  out << "plan: " << plan.tasks.size() << " tasks x " << plan.models.size() << " models x " << plan.seeds
      << (plan.seeds == 1 ? " seed" : " seeds") << " = " << e.runs << " training runs (profile " << plan.profile
      << "), then the report and figures (and the bench, unless --no-bench)\n";
  if (plan.spt)
    out << "      --spt: each of them also pretrains and then fine-tunes (" << 2 * e.runs
        << " more runs with the same updates in all: about as long again as the training runs)\n";
  out
      << "      written to " << plan.out_dir << "/ (a run there is reused only when made by this commit with the "
      << "same config, data and model; committed reference runs under results/ are never written or reused)\n";
  if (e.timed == 0) {
    out << "      expected time: unknown (no reference run of profile " << plan.profile << " in "
        << (plan.reference_dir.empty() ? std::string("(none)") : plan.reference_dir) << ")\n";
  } else {
    const int minutes = static_cast<int>(e.seconds / 60.0 + 0.5);
    out << "      expected time: about " << minutes << " min for the training runs";
    if (e.timed < e.runs) out << " (" << e.timed << " of " << e.runs << " runs have a reference time)";
    out << ", from the committed reference run " << plan.reference_dir << " (" << e.reference_note
        << "); other machines differ\n";
  }
  return out.str();
}

}  // namespace lra
