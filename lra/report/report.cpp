#include "lra/report/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "lra/report/bench_rows.h"
#include "lra/report/learning_check.h"
#include "lra/report/seed_aggregate.h"
#include "lra/report/spt_report.h"
#include "tasks/registry.h"

namespace lra {
namespace fs = std::filesystem;

namespace {

std::string signed_fixed(double value, int decimals) { return (value >= 0 ? "+" : "") + fixed(value, decimals); }

// The table's columns: the five LRA tasks, and Path-X when a run of it is present.
std::vector<std::string> table_tasks(const std::vector<Json>& runs) {
  std::vector<std::string> tasks = lra_table_tasks();
  for (const auto& r : runs)
    if (r.value("task", "") == "pathx") return tasks.push_back("pathx"), tasks;
  return tasks;
}

// "(n=2 of 3; seed 3 failed)" when a cell lacks seeds, "(n=3)" otherwise.
std::string seed_note(const Json& cell) {
  std::string note = "(n=" + std::to_string(cell["n"].get<int>());
  const Json& missing = cell["not_completed"];
  if (!missing.empty()) {
    note += " of " + std::to_string(cell["n"].get<int>() + static_cast<int>(missing.size()));
    for (const auto& m : missing)
      note += "; seed " + std::to_string(m["seed"].get<int64_t>()) + " " + m["status"].get<std::string>();
  }
  return note + ")";
}

// Deltas against a published number only on comparable data: the official release or the task's own
// generator ("R"/"G"), at the paper profile. Otherwise the reason.
std::string incomparable_reason(const Json& cell) {
  const std::string mark = cell.value("data_mark", "");
  if (mark != "R" && mark != "G") return "substitute data";
  if (cell.value("profile", "") != "paper") return "reduced profile '" + cell.value("profile", "") + "'";
  return "";
}

}  // namespace

std::string task_title(const std::string& task) {
  for (const auto& entry : task_registry())
    if (entry.name == task) return entry.title;
  return task;
}

const std::vector<std::string>& lra_table_tasks() {
  static const std::vector<std::string> tasks = [] {
    std::vector<std::string> columns;
    for (const auto& entry : task_registry())
      if (entry.lra_column) columns.push_back(entry.name);
    return columns;
  }();
  return tasks;
}

std::string accuracy_table(const Json& summary, const std::vector<std::string>& tasks, const char* checkpoint) {
  std::ostringstream out;
  out << "| model |";
  for (const auto& t : tasks) out << " " << task_title(t) << " |";
  out << " Avg (5 tasks) |\n|---|";
  for (size_t i = 0; i <= tasks.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& model : summary["models"]) {
    out << "| " << model.get<std::string>() << " |";
    for (const auto& task : tasks) {
      const Json* cell = find_cell(summary, task, model);
      if (!cell) {
        out << " missing |";
        continue;
      }
      if ((*cell)["n"].get<int>() == 0) {
        out << " " << seed_note(*cell) << " |";
        continue;
      }
      out << " " << mean_pm((*cell)[checkpoint]) << " " << seed_note(*cell) << " " << (*cell)["data_mark"].get<std::string>();
      if ((*cell)["above_majority"] == false) out << " †";
      out << " |";
    }
    for (const auto& avg : summary["averages"]) {
      if (avg["model"] != model) continue;
      const int counted = avg["tasks_counted"], expected = avg["tasks_expected"];
      out << " " << (counted == 0 ? "missing" : mean_pm(avg[checkpoint], 2) + " (n=" +
                     std::to_string(avg[checkpoint]["n"].get<int>()) + ")" +
                     (counted < expected ? " (" + std::to_string(counted) + "/" + std::to_string(expected) + " tasks)" : ""))
          << " |";
    }
    out << "\n";
  }
  // Chance: the majority class of the training split, scored on test.
  out << "| *majority class* |";
  for (const auto& task : tasks) {
    std::string shown = "missing";
    for (const auto& cell : summary["cells"])
      if (cell["task"] == task && !cell["majority"].is_null()) shown = fixed(cell["majority"].get<double>(), 1);
    out << " " << shown << " |";
  }
  out << " |\n";
  return out.str();
}

std::string comparisons_markdown(const Json& summary) {
  std::ostringstream out;
  out << "Each model's final-checkpoint test accuracy minus the Transformer's on the same task (Welch's "
         "two-sample t-test, two-sided, 95%, no correction for multiple comparisons). Rank = 1 + the number "
         "of models that are better by a margin the seeds resolve; equal ranks are ties.\n\n"
         "| task | model | mean | − transformer | 95% interval | p | verdict | rank |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& task : summary["tasks"]) {
    if (!summary["comparisons"].contains(task)) continue;
    const Json& c = summary["comparisons"][task.get<std::string>()];
    for (const auto& model : summary["models"]) {
      const Json* cell = find_cell(summary, task, model);
      if (!cell) continue;
      out << "| " << task_title(task) << " | " << model.get<std::string>() << " | " << mean_pm((*cell)["final"]) << " |";
      const Json* row = nullptr;
      for (const auto& r : c["rows"])
        if (r["model"] == model) row = &r;
      if ((*cell)["n"].get<int>() == 0) out << " – | – | – | no completed seed |";
      else if (model == kReferenceModel) out << " (reference) | | | |";
      else if (!row) out << " – | – | – | no completed reference seed |";
      else if ((*row)["half_width"].is_null())
        out << " " << signed_fixed((*row)["difference"].get<double>(), 1) << " | – | – | " << (*row)["verdict"].get<std::string>() << " |";
      else {
        const double d = (*row)["difference"], h = (*row)["half_width"], pv = (*row)["p_value"];
        out << " " << signed_fixed(d, 1) << " | [" << signed_fixed(d - h, 1) << ", " << signed_fixed(d + h, 1)
            << "] | " << (pv < 0.001 ? std::string("<0.001") : fixed(pv, 3)) << " | " << (*row)["verdict"].get<std::string>() << " |";
      }
      const std::string m = model;
      out << " " << (c["ranks"].contains(m) ? std::to_string(c["ranks"][m].get<int>()) : "–") << " |\n";
    }
  }
  out << "\nThe smallest difference these seeds could detect (two models, 80% power, two-sided 5%, from the "
         "pooled seed-to-seed spread of the task's cells); a real difference smaller than this needs more "
         "seeds (`./run_all.sh --seeds K`):\n\n"
         "| task | seeds per model | pooled sd | detectable difference | largest gap between model means |\n|---|---|---|---|---|\n";
  for (const auto& task : summary["tasks"]) {
    if (!summary["comparisons"].contains(task)) continue;
    const Json& c = summary["comparisons"][task.get<std::string>()];
    double lo = 1e300, hi = -1e300;
    for (const auto& cell : summary["cells"])
      if (cell["task"] == task && !cell["final"]["mean"].is_null())
        lo = std::min(lo, cell["final"]["mean"].get<double>()), hi = std::max(hi, cell["final"]["mean"].get<double>());
    out << "| " << task_title(task) << " | " << c["seeds_per_model"].get<int>() << " | "
        << (c["pooled_sd"].is_null() ? "–" : fixed(c["pooled_sd"].get<double>(), 2)) << " | "
        << (c["minimum_detectable_difference"].is_null() ? "– (needs ≥ 2 seeds)"
                                                         : fixed(c["minimum_detectable_difference"].get<double>(), 1) + " points")
        << " | " << (hi >= lo ? fixed(hi - lo, 1) : "–") << " |\n";
  }
  return out.str();
}

std::string table1_from_summary(const Json& summary, const Json& published) {
  const auto tasks = summary["tasks"].get<std::vector<std::string>>();
  std::ostringstream out;
  out << "Test accuracy (%) as mean ± half-width of the 95% interval over seeds (Student t, n shown); "
         "data: G = generated with the task's own generator, S = synthetic substitute data, T = real-text "
         "substitute (the Linux kernel's documentation), R = the official release; "
         "† = the interval does not lie above the majority class. The average is taken per seed over the five "
         "tasks (seeds that completed all of them), then over seeds.\n\n"
      << "**Final checkpoint** (as the LRA paper reports):\n\n" << accuracy_table(summary, tasks, "final")
      << "\n**Best-validation checkpoint** (as PyTorch harnesses report):\n\n"
      << accuracy_table(summary, tasks, "best_val") << "\n### Which models are distinguishable\n\n"
      << comparisons_markdown(summary);

  // Published rows beside ours; deltas only where our data and profile match theirs.
  if (published.contains("table1")) {
    out << "\n### Published numbers\n\n| published | source |";
    for (const auto& t : lra_table_tasks()) out << " " << task_title(t) << " |";
    out << " Avg |\n|---|---|";
    for (size_t i = 0; i <= lra_table_tasks().size(); ++i) out << "---|";
    out << "\n";
    std::set<std::string> reasons;
    for (auto it = published["table1"].begin(); it != published["table1"].end(); ++it) {
      const Json& row = it.value();
      const std::string ours_model = row.value("row_of", it.key());
      out << "| " << it.key() << " | " << row.value("source", "") << " |";
      for (const auto& t : lra_table_tasks()) {
        out << " " << fixed(row[t].get<double>(), 2);
        const Json* cell = find_cell(summary, t, ours_model);
        if (cell && (*cell)["n"].get<int>() > 0) {
          const std::string why = incomparable_reason(*cell);
          if (why.empty()) out << " (ours " << signed_fixed((*cell)["final"]["mean"].get<double>() - row[t].get<double>(), 1) << ")";
          else reasons.insert(task_title(t) + ": " + why);
        }
        out << " |";
      }
      out << " " << fixed(row["avg"].get<double>(), 2) << " |\n";
    }
    out << "\n(ours ±x) = our mean final-checkpoint test accuracy minus the published number, same model and "
           "task, printed only on the official release or the task's own generator at the paper profile. "
           "Luna-16 and Luna-128 LRA rows were not found in any readable source.\n";
    if (!reasons.empty()) {
      out << "No deltas where our numbers are not comparable:";
      for (const auto& r : reasons) out << " " << r << ";";
      out << " there the published row is shown for orientation only.\n";
    }
  }
  return out.str();
}

std::string table1_markdown(const std::vector<Json>& runs, const Json& published) {
  return table1_from_summary(report_summary(runs), published);
}

Json report_summary(const std::vector<Json>& runs) {
  // Table 1 is the LRA protocol (from scratch); fine-tuned runs have their own section.
  const auto scratch = runs_of_protocol(runs, "scratch");
  Json summary = aggregate_seeds(scratch, table_tasks(scratch), lra_table_tasks());
  summary["learning"] = learning_check(summary);
  if (Json spt = spt_comparison(runs, table_tasks(runs)); !spt.is_null()) summary["spt"] = spt;
  return summary;
}

namespace {

Json left_out_json(const std::vector<LeftOutReport>& files) {
  Json out = Json::array();
  for (const auto& f : files) out.push_back({{"path", f.path}, {"why", f.why}});
  return out;
}

// Every run report left out and every seed a cell lacks, so that no run disappears without a word.
std::string missing_runs_markdown(const RunReportScan& scan, const Json& summary) {
  std::ostringstream out;
  std::vector<std::string> seeds;
  for (const auto& cell : summary["cells"])
    for (const auto& m : cell["not_completed"])
      seeds.push_back(task_title(cell["task"].get<std::string>()) + " / " + cell["model"].get<std::string>() +
                      " / seed " + std::to_string(m["seed"].get<int64_t>()) + ": " + m["status"].get<std::string>());
  if (scan.unusable.empty() && scan.superseded.empty() && seeds.empty() && scan.sweep_gaps.empty() &&
      scan.input_mismatches.empty())
    return "None: every run report found was read, and every cell has all its seeds" +
           std::string(scan.manifest.empty() ? "" : ", and every run of the sweep finished") + ".\n";
  if (!scan.sweep_gaps.empty()) {
    out << "Runs of the sweep (" << scan.manifest << ") that did not finish, " << scan.sweep_gaps.size() << " of "
        << scan.sweep_runs << " (submit the sweep again: finished runs are reused, interrupted ones resume):\n\n";
    for (const auto& gap : scan.sweep_gaps)
      out << "- line " << gap.run.index << ", " << task_title(gap.run.task) << " / " << gap.run.model << " / seed "
          << gap.run.seed << (gap.run.protocol == "spt" ? " (SPT)" : "") << ": " << gap.status << " (`"
          << gap.run.run_folder << "`)\n";
    out << "\n";
  }
  if (!scan.input_mismatches.empty()) {
    out << "Runs whose inputs differ from the rest, kept in the tables above (" << scan.input_mismatches.size()
        << "):\n\n";
    for (const auto& f : scan.input_mismatches) out << "- `" << f.path << "`: " << f.why << "\n";
    out << "\n";
  }
  if (!scan.unusable.empty()) {
    out << "Run reports that could not be read, left out of every table (" << scan.unusable.size() << "):\n\n";
    for (const auto& f : scan.unusable) out << "- `" << f.path << "`: " << f.why << "\n";
    out << "\n";
  }
  if (!seeds.empty()) {
    out << "Seeds a cell lacks or that did not complete (" << seeds.size() << "):\n\n";
    for (const auto& line : seeds) out << "- " << line << "\n";
    out << "\n";
  }
  if (!scan.superseded.empty()) {
    out << "Reports of a run found twice, left out for the later one (" << scan.superseded.size() << "):\n\n";
    for (const auto& f : scan.superseded) out << "- `" << f.path << "`: " << f.why << "\n";
  }
  return out.str();
}

std::string report_body(const std::vector<Json>& runs, const Json& summary, const Json& bench, const Json& published);

}  // namespace

namespace {

// A seed whose report could not be read counts in its cell as "unreadable", not as silently absent.
Json summary_of_scan(const RunReportScan& scan) {
  Json summary = report_summary(scan.runs);
  for (const auto& f : scan.unusable) {
    if (f.seed < 0) continue;
    for (auto& cell : summary["cells"]) {
      if (cell["task"] != f.task || cell["model"] != f.model) continue;
      if (std::find(cell["seeds"].begin(), cell["seeds"].end(), Json(f.seed)) != cell["seeds"].end()) break;
      Json& not_completed = cell["not_completed"];
      auto it = std::find_if(not_completed.begin(), not_completed.end(),
                             [&](const Json& m) { return m["seed"] == f.seed; });
      if (it == not_completed.end()) not_completed.push_back({{"seed", f.seed}, {"status", "unreadable"}});
      else if ((*it)["status"] == "missing") (*it)["status"] = "unreadable";
    }
  }
  return summary;
}

}  // namespace

Json folder_report_summary(const RunReportScan& scan) {
  Json summary = summary_of_scan(scan);
  summary["partial_input"] = !scan.unusable.empty();
  summary["unreadable_reports"] = left_out_json(scan.unusable);
  summary["superseded_reports"] = left_out_json(scan.superseded);
  if (!scan.manifest.empty()) {
    Json gaps = Json::array();
    for (const auto& gap : scan.sweep_gaps)
      gaps.push_back({{"index", gap.run.index}, {"task", gap.run.task}, {"model", gap.run.model},
                      {"seed", gap.run.seed}, {"protocol", gap.run.protocol}, {"run_folder", gap.run.run_folder},
                      {"status", gap.status}});
    summary["sweep"] = {{"manifest", scan.manifest}, {"runs", scan.sweep_runs}, {"not_finished", gaps}};
    summary["partial_input"] = summary["partial_input"].get<bool>() || !gaps.empty();
  }
  summary["input_mismatches"] = left_out_json(scan.input_mismatches);
  summary["partial_input"] = summary["partial_input"].get<bool>() || !scan.input_mismatches.empty();
  return summary;
}

std::string folder_report_markdown(const RunReportScan& scan, const Json& bench, const Json& published) {
  const Json summary = summary_of_scan(scan);
  std::ostringstream out;
  if (!scan.unusable.empty())
    out << "# LRA report (PARTIAL: " << scan.unusable.size() << " run report" << (scan.unusable.size() == 1 ? "" : "s")
        << " could not be read and " << (scan.unusable.size() == 1 ? "is" : "are")
        << " left out; see \"Missing runs\")\n\n";
  else if (!scan.sweep_gaps.empty())
    out << "# LRA report (PARTIAL: " << scan.sweep_gaps.size() << " of " << scan.sweep_runs
        << " runs of the sweep did not finish; see \"Missing runs\")\n\n";
  else if (!scan.input_mismatches.empty())
    out << "# LRA report (PARTIAL: " << scan.input_mismatches.size() << " run"
        << (scan.input_mismatches.size() == 1 ? "" : "s")
        << " made with other inputs than the rest of the sweep or cell; see \"Missing runs\")\n\n";
  else
    out << "# LRA report\n\n";
  out << report_body(scan.runs, summary, bench, published) << "\n## Missing runs\n\n"
      << missing_runs_markdown(scan, summary);
  return out.str();
}

std::string report_markdown(const std::vector<Json>& runs, const Json& bench, const Json& published) {
  return "# LRA report\n\n" + report_body(runs, report_summary(runs), bench, published);
}

namespace {

std::string report_body(const std::vector<Json>& runs, const Json& summary, const Json& bench, const Json& published) {
  std::ostringstream out;
  out << "## Table 1: accuracy\n\n" << table1_from_summary(summary, published)
      << "\n### Does every cell learn?\n\n" << learning_check_markdown(summary["learning"]);
  if (summary.contains("spt"))
    out << "\n## Self-pretraining (SPT) against training from scratch\n\n" << spt_markdown(summary["spt"]);
  out << "\n## Table 2: speed and memory vs sequence length\n\n";
  if (bench.is_object() && bench.value("mode", "") == "cells")  // one row per (task, model) at each cell's length
    out << "The bench given is a profile's cells (`lra bench --cells`), not a sweep over lengths: Table 2 needs "
           "`lra bench --lengths ...`. Compare cells with `lra report DIR --before OTHER/bench.json`.\n";
  else
    out << table2_markdown(bench, published);
  std::set<std::string> commits, profiles, sources;
  for (const auto& r : runs) {
    if (r.contains("environment")) commits.insert(r["environment"].value("git_commit", "?"));
    profiles.insert(r.value("profile", "?"));
    if (r.contains("data")) sources.insert(r.value("task", "") + ": " + r["data"].value("source", "?") +
                                           (r["data"].value("substitute", false) ? " (substitute)" : ""));
  }
  out << "\n## Provenance\n\n- runs: " << runs.size() << " (from scratch " << runs_of_protocol(runs, "scratch").size()
      << ", SPT fine-tuning " << runs_of_protocol(runs, "spt").size() << ", pretraining "
      << runs_of_protocol(runs, "pretrain").size() << "); profiles:";
  for (const auto& p : profiles) out << " " << p;
  out << "\n- lra commits:";
  for (const auto& c : commits) out << " " << c;
  out << "\n- data:\n";
  for (const auto& s : sources) out << "  - " << s << "\n";
  return out.str();
}

}  // namespace

Json load_published(const std::string& config_dir) { return load_json_file(config_dir + "/published.json"); }

}  // namespace lra
