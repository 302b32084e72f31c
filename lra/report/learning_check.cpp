#include "lra/report/learning_check.h"

#include <sstream>

#include "lra/report/report.h"
#include "lra/report/seed_aggregate.h"

namespace lra {

namespace {

// Uses the cell's own above_majority (seed_aggregate.h: the interval's low end above the majority
// class; null without an interval).
const char* verdict_of(const Json& cell) {
  if (cell["above_majority"].is_null()) return kOneSeed;
  if (!cell["above_majority"].get<bool>()) return kNotAboveMajority;
  if (cell["final"]["mean"].get<double>() < cell["majority"].get<double>() + kLearningMarginPoints) return kBelowMargin;
  return kLearns;
}

Json mean_curve(const Json& summary, const std::string& task, const std::string& model) {
  Json curve = Json::array();
  if (!summary.contains("curves") || !summary["curves"].contains(task) || !summary["curves"][task].contains(model))
    return curve;
  for (const auto& point : summary["curves"][task][model])
    curve.push_back({{"step", point["step"]}, {"mean", point["mean"]}});
  return curve;
}

}  // namespace

Json learning_check(const Json& summary) {
  Json check{{"margin_points", kLearningMarginPoints}, {"cells", Json::array()}};
  int judged = 0, learning = 0;
  for (const auto& cell : summary["cells"]) {
    if (cell["n"].get<int>() == 0 || cell["majority"].is_null()) continue;
    const auto task = cell["task"].get<std::string>(), model = cell["model"].get<std::string>();
    const char* verdict = verdict_of(cell);
    if (verdict != kOneSeed) ++judged;
    if (verdict == kLearns) ++learning;
    const Json& f = cell["final"];
    check["cells"].push_back({{"task", task},
                              {"model", model},
                              {"n", cell["n"]},
                              {"mean", f["mean"]},
                              {"low", f["low"]},
                              {"majority", cell["majority"]},
                              {"above_by", f["mean"].get<double>() - cell["majority"].get<double>()},
                              {"verdict", verdict},
                              {"curve", mean_curve(summary, task, model)}});
  }
  check["cells_judged"] = judged;
  check["cells_learning"] = learning;
  return check;
}

std::string learning_check_markdown(const Json& check) {
  std::ostringstream out;
  out << "A cell learns when its mean final-checkpoint test accuracy is at least " << fixed(check["margin_points"].get<double>(), 0)
      << " points above the majority class and its 95% interval lies above the majority class. "
      << check["cells_learning"].get<int>() << " of " << check["cells_judged"].get<int>()
      << " cells with at least 2 seeds learn.";
  if (check["cells_judged"].get<int>() == 0)
    out << " A cell needs at least 2 seeds to be judged (`./run_all.sh --seeds K`, K >= 2).";
  bool any = false;
  std::ostringstream rows;
  for (const auto& cell : check["cells"]) {
    if (cell["verdict"] == kLearns) continue;
    any = true;
    rows << "| " << task_title(cell["task"].get<std::string>()) << " | " << cell["model"].get<std::string>() << " | "
         << fixed(cell["mean"].get<double>(), 1) << " (n=" << cell["n"].get<int>() << ") | "
         << fixed(cell["majority"].get<double>(), 1) << " | " << (cell["above_by"].get<double>() >= 0 ? "+" : "")
         << fixed(cell["above_by"].get<double>(), 1) << " | " << cell["verdict"].get<std::string>() << " |";
    for (const auto& point : cell["curve"])
      rows << " " << point["step"].get<int64_t>() << ": " << fixed(point["mean"].get<double>(), 1);
    rows << " |\n";
  }
  if (!any) return out.str() + "\n";
  out << " The others, with their validation accuracy (mean over seeds) at each evaluation, so that a "
         "plateau is told apart from a curve still rising (the seeds' band: figures/learning-curves.png):\n\n"
         "| task | model | mean test | majority | above majority | verdict | val accuracy by update |\n"
         "|---|---|---|---|---|---|---|\n"
      << rows.str();
  return out.str();
}

}  // namespace lra
