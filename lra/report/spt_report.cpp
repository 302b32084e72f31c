#include "lra/report/spt_report.h"

#include <cmath>
#include <set>
#include <sstream>

#include "lra/report/run_report.h"
#include "lra/report/seed_aggregate.h"
#include "lra/report/seed_stats.h"

namespace lra {
namespace {

// The updates of a cell's runs, from the first report that records them ("pretrain + train").
Json updates_of(const std::vector<Json>& runs, const std::string& task, const std::string& model) {
  for (const auto& r : runs)
    if (r.value("task", "") == task && r.value("model", "") == model && r.contains("updates") &&
        r["updates"].is_object())
      return r["updates"];
  return nullptr;
}

// The distinct total updates of a cell's completed runs (a report without "updates" trained train.steps).
std::set<int64_t> totals_of(const std::vector<Json>& runs, const std::string& task, const std::string& model) {
  std::set<int64_t> totals;
  for (const auto& r : runs) {
    if (r.value("task", "") != task || r.value("model", "") != model || r.value("status", "") != "completed") continue;
    if (r.contains("updates") && r["updates"].is_object()) totals.insert(r["updates"].value("total", int64_t{0}));
    else if (r.contains("config")) totals.insert(r["config"]["train"].value("steps", int64_t{0}));
  }
  return totals;
}

std::string totals_text(const std::set<int64_t>& totals) {
  std::string out;
  for (int64_t t : totals) out += (out.empty() ? "" : "/") + std::to_string(t);
  return out.empty() ? "?" : out;
}

// Mean over seeds of the pretraining's last masked-token accuracy (training curve), percent.
Json masked_accuracy(const std::vector<Json>& pretrain_runs, const std::string& task, const std::string& model) {
  std::vector<double> values;
  for (const auto& r : pretrain_runs) {
    if (r.value("task", "") != task || r.value("model", "") != model || r.value("status", "") != "completed") continue;
    if (!r.contains("curves") || !r["curves"].contains("train")) continue;  // a report without its curve
    const Json& train = r["curves"]["train"];
    if (!train.empty() && train.back().contains("accuracy")) values.push_back(100.0 * train.back()["accuracy"].get<double>());
  }
  if (values.empty()) return nullptr;
  const MeanInterval m = mean_interval(values);
  return {{"n", m.n}, {"mean", m.mean}, {"half_width", number_or_null(m.half_width)}};
}

std::string updates_text(const Json& updates) {
  if (updates.is_null()) return "?";
  return std::to_string(updates.value("pretrain", 0)) + " + " + std::to_string(updates.value("train", 0)) + " = " +
         std::to_string(updates.value("total", 0));
}

}  // namespace

Json spt_comparison(const std::vector<Json>& runs, const std::vector<std::string>& tasks) {
  const auto spt_runs = runs_of_protocol(runs, "spt");
  if (spt_runs.empty()) return nullptr;
  const auto scratch_runs = runs_of_protocol(runs, "scratch"), pretrain_runs = runs_of_protocol(runs, "pretrain");
  const Json scratch = aggregate_seeds(scratch_runs, tasks, {});
  const Json spt = aggregate_seeds(spt_runs, tasks, {});
  Json rows = Json::array();
  for (const auto& cell : spt["cells"]) {
    const std::string task = cell["task"], model = cell["model"];
    Json row = {{"task", task},
                {"model", model},
                {"spt",
                 {{"final", cell["final"]},
                  {"best_val", cell["best_val"]},
                  {"n", cell["n"]},
                  {"updates", updates_of(spt_runs, task, model)},
                  {"masked_token_accuracy", masked_accuracy(pretrain_runs, task, model)}}},
                {"scratch", nullptr},
                {"gain", nullptr}};
    if (const Json* base = find_cell(scratch, task, model)) {
      row["scratch"] = {{"final", (*base)["final"]},
                        {"best_val", (*base)["best_val"]},
                        {"n", (*base)["n"]},
                        {"updates", updates_of(scratch_runs, task, model)}};
      // A gain is only stated between rows that trained the same updates in all.
      const auto spt_totals = totals_of(spt_runs, task, model), scratch_totals = totals_of(scratch_runs, task, model);
      if (spt_totals.size() > 1 || spt_totals != scratch_totals) {
        row["gain"] = {{"difference", nullptr}, {"half_width", nullptr}, {"p_value", nullptr},
                       {"verdict", "not compared: unequal updates (scratch " + totals_text(scratch_totals) +
                                       ", SPT " + totals_text(spt_totals) + ")"}};
        rows.push_back(row);
        continue;
      }
      const auto a = cell["final"]["values"].get<std::vector<double>>();
      const auto b = (*base)["final"]["values"].get<std::vector<double>>();
      const WelchResult w = welch_test(a, b);
      const bool enough = a.size() >= 2 && b.size() >= 2;
      row["gain"] = {{"difference", number_or_null(w.difference)},
                     {"half_width", number_or_null(w.half_width)},
                     {"p_value", number_or_null(w.p_value)},
                     {"verdict", !enough ? kTooFewSeeds
                                 : !w.distinguishable ? kNotDistinguishable
                                 : w.difference > 0   ? "SPT better"
                                                      : "SPT worse"}};
    }
    rows.push_back(row);
  }
  return {{"rows", rows},
          {"method", "final-checkpoint test accuracy; gain = SPT minus scratch, Welch's two-sided t-test, 95%"}};
}

std::string spt_markdown(const Json& comparison) {
  std::ostringstream out;
  out << "Each model fine-tuned from its own masked-token pretraining on the task's training inputs (`lra pretrain`, "
         "then `lra train --init-from`; Amos et al. 2024), beside the same model from scratch. Updates = "
         "pretraining + fine-tuning = total; compare rows only at equal totals. Test accuracy (%) of the final "
         "checkpoint, mean ± 95% interval over seeds; gain = SPT minus scratch (Welch, two-sided, 95%); masked "
         "= the pretraining's masked-token accuracy at its last update (training curve).\n\n"
         "| task | model | protocol | updates | final test | best-val test | masked | SPT gain | verdict |\n"
         "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : comparison["rows"]) {
    const std::string task = row["task"], model = row["model"];
    if (!row["scratch"].is_null()) {
      const Json& s = row["scratch"];
      out << "| " << task << " | " << model << " | scratch | " << updates_text(s["updates"]) << " | "
          << mean_pm(s["final"]) << " (n=" << s["n"].get<int>() << ") | " << mean_pm(s["best_val"]) << " | | | |\n";
    }
    const Json& p = row["spt"];
    out << "| " << task << " | " << model << " | **SPT** | " << updates_text(p["updates"]) << " | "
        << mean_pm(p["final"]) << " (n=" << p["n"].get<int>() << ") | " << mean_pm(p["best_val"]) << " | "
        << (p["masked_token_accuracy"].is_null() ? "–" : mean_pm(p["masked_token_accuracy"])) << " | ";
    const Json& g = row["gain"];
    if (g.is_null()) {
      out << "– | no scratch row |\n";
    } else {
      const bool interval = !g["half_width"].is_null();
      out << (g["difference"].is_null() ? "–" : (g["difference"].get<double>() >= 0 ? "+" : "") +
                                                    fixed(g["difference"].get<double>(), 1))
          << (interval ? " ± " + fixed(g["half_width"].get<double>(), 1) : "") << " | "
          << g["verdict"].get<std::string>() << " |\n";
    }
  }
  return out.str();
}

}  // namespace lra
