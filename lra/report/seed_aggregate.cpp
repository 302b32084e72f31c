#include "lra/report/seed_aggregate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "lra/report/run_report.h"
#include "lra/report/seed_stats.h"

namespace lra {
namespace {

Json interval_block(const std::vector<double>& values) {
  const MeanInterval m = mean_interval(values);
  return {{"values", values},
          {"n", m.n},
          {"mean", number_or_null(m.mean)},
          {"sd", m.n >= 2 ? Json(m.sd) : Json(nullptr)},
          {"half_width", number_or_null(m.half_width)},
          {"low", number_or_null(m.low())},
          {"high", number_or_null(m.high())}};
}

bool has_test_accuracy(const Json& accuracy, const char* checkpoint) {
  return accuracy.contains(checkpoint) && accuracy[checkpoint].is_object() && accuracy[checkpoint].contains("test") &&
         accuracy[checkpoint]["test"].is_number();
}

// Completed with both test accuracies: anything else is shown as not completed, with its status.
bool completed(const Json& run) {
  if (!run.contains("status") || run["status"] != "completed" || !run.contains("accuracy")) return false;
  const Json& a = run["accuracy"];
  return a.is_object() && has_test_accuracy(a, "final") && has_test_accuracy(a, "best_val");
}

double percent(const Json& run, const char* checkpoint) {
  return 100.0 * run.at("accuracy").at(checkpoint).at("test").get<double>();
}

std::string status_of(const Json& run) { return effective_status(run); }

std::vector<double> values_of(const Json& cell, const char* checkpoint) {
  return cell[checkpoint]["values"].get<std::vector<double>>();
}

// One task's comparisons: every model against the reference, ranks with ties, the detectable difference.
Json compare_models(const Json& summary, const std::string& task, const std::vector<std::string>& models) {
  std::map<std::string, std::vector<double>> finals;
  for (const auto& m : models)  // models with at least one completed seed; the others have nothing to compare
    if (const Json* cell = find_cell(summary, task, m); cell && (*cell)["n"].get<int>() > 0)
      finals[m] = values_of(*cell, "final");
  Json out = {{"reference", kReferenceModel}, {"rows", Json::array()}, {"ranks", Json::object()}};
  const auto reference = finals.find(kReferenceModel);
  for (const auto& [model, values] : finals) {
    if (reference == finals.end() || model == kReferenceModel) continue;
    const WelchResult w = welch_test(values, reference->second);
    const bool enough = values.size() >= 2 && reference->second.size() >= 2;
    out["rows"].push_back({{"model", model},
                           {"difference", number_or_null(w.difference)},
                           {"half_width", number_or_null(w.half_width)},
                           {"df", number_or_null(w.df)},
                           {"p_value", number_or_null(w.p_value)},
                           {"verdict", !enough ? kTooFewSeeds
                                       : !w.distinguishable ? kNotDistinguishable
                                       : w.difference > 0   ? kBetter
                                                            : kWorse}});
  }
  // Rank = 1 + the number of models whose mean is higher by a margin the seeds resolve.
  for (const auto& [model, values] : finals) {
    int better = 0;
    for (const auto& [other, other_values] : finals) {
      if (other == model) continue;
      const WelchResult w = welch_test(other_values, values);
      if (w.distinguishable && w.difference > 0) ++better;
    }
    out["ranks"][model] = 1 + better;
  }
  std::vector<std::vector<double>> groups;
  std::vector<int> sizes;
  for (const auto& [model, values] : finals) groups.push_back(values), sizes.push_back(static_cast<int>(values.size()));
  const PooledSpread pooled = pooled_spread(groups);
  std::sort(sizes.begin(), sizes.end());
  const int n = sizes.empty() ? 0 : sizes[sizes.size() / 2];  // the median seeds per model
  out["pooled_sd"] = number_or_null(pooled.sd);
  out["seeds_per_model"] = n;
  out["minimum_detectable_difference"] = number_or_null(minimum_detectable_difference(pooled.sd, n));
  return out;
}

}  // namespace

const Json* find_cell(const Json& summary, const std::string& task, const std::string& model) {
  if (!summary.contains("cells")) return nullptr;
  for (const auto& cell : summary["cells"])
    if (cell["task"] == task && cell["model"] == model) return &cell;
  return nullptr;
}

Json number_or_null(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string mean_pm(const Json& block, int decimals) {
  if (!block.contains("mean") || block["mean"].is_null()) return "–";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << block["mean"].get<double>();
  if (block["n"].get<int>() >= 2) out << " ± " << block["half_width"].get<double>();
  return out.str();
}

Json aggregate_seeds(const std::vector<Json>& runs, const std::vector<std::string>& tasks,
                     const std::vector<std::string>& average_tasks) {
  std::set<int64_t> all_seeds;
  std::vector<std::string> models;
  for (const auto& r : runs) {
    if (std::find(tasks.begin(), tasks.end(), r.value("task", "")) == tasks.end()) continue;
    all_seeds.insert(report_seed(r));
    const std::string m = r.value("model", "");
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  }
  std::sort(models.begin(), models.end());

  Json summary = {{"confidence", 0.95},
                  {"method",
                   {{"interval", "Student t over the seeds: mean ± t_{0.975, n-1} · sd / sqrt(n)"},
                    {"comparison", "Welch's two-sample t-test of the final-checkpoint test accuracy, two-sided, "
                                   "95%; each model against the Transformer, no correction for multiple "
                                   "comparisons"},
                    {"rank", "1 + the number of models whose accuracy is higher by a Welch-significant margin "
                             "(equal ranks: the seeds do not separate them)"},
                    {"minimum_detectable_difference",
                     "(t_{0.975, 2n-2} + t_{0.8, 2n-2}) · pooled sd · sqrt(2/n): the true difference detected "
                     "with 80% power at n seeds per model"}}},
                  {"seeds", all_seeds},
                  {"tasks", tasks},
                  {"models", models},
                  {"cells", Json::array()},
                  {"averages", Json::array()},
                  {"comparisons", Json::object()},
                  {"curves", Json::object()}};

  for (const auto& task : tasks) {
    // Expected: the seeds any model ran on this task (an extra cell such as Path-X runs fewer seeds).
    std::set<int64_t> task_seeds;
    for (const auto& r : runs)
      if (r.value("task", "") == task) task_seeds.insert(report_seed(r));
    for (const auto& model : models) {
      std::vector<const Json*> seeds_of_cell;
      for (const auto& r : runs)
        if (r.value("task", "") == task && r.value("model", "") == model) seeds_of_cell.push_back(&r);
      if (seeds_of_cell.empty()) continue;
      Json cell = {{"task", task}, {"model", model}, {"seeds", Json::array()}, {"not_completed", Json::array()}};
      std::vector<double> finals, bests;
      std::set<std::string> marks, profiles;
      std::set<int64_t> present;
      for (const Json* r : seeds_of_cell) {
        present.insert(report_seed(*r));
        marks.insert(data_mark(*r));
        profiles.insert(r->value("profile", "?"));
        if (r->contains("majority_baseline") && (*r)["majority_baseline"].is_object() &&
            (*r)["majority_baseline"].contains("test") && (*r)["majority_baseline"]["test"].is_number())
          cell["majority"] = 100.0 * (*r)["majority_baseline"]["test"].get<double>();
        if (!completed(*r)) {
          cell["not_completed"].push_back({{"seed", report_seed(*r)}, {"status", completed(*r) ? "?" : status_of(*r)}});
          continue;
        }
        cell["seeds"].push_back(report_seed(*r));
        finals.push_back(percent(*r, "final"));
        bests.push_back(percent(*r, "best_val"));
      }
      for (int64_t s : task_seeds)
        if (!present.count(s)) cell["not_completed"].push_back({{"seed", s}, {"status", "missing"}});
      std::string mark, profile;
      for (const auto& m : marks) mark += (mark.empty() ? "" : "/") + m;
      for (const auto& p : profiles) profile += (profile.empty() ? "" : "/") + p;
      cell["data_mark"] = mark;
      cell["profile"] = profile;
      cell["n"] = finals.size();
      cell["final"] = interval_block(finals);
      cell["best_val"] = interval_block(bests);
      if (!cell.contains("majority")) cell["majority"] = nullptr;
      const Json& f = cell["final"];
      cell["above_majority"] = f["low"].is_null() || cell["majority"].is_null()
                                   ? Json(nullptr)
                                   : Json(f["low"].get<double>() > cell["majority"].get<double>());
      summary["cells"].push_back(cell);
    }
  }

  // The average column: per seed, the mean over the average tasks; then the interval over seeds.
  for (const auto& model : models) {
    std::map<int64_t, std::vector<std::pair<double, double>>> per_seed;  // seed -> (final, best) per task
    int tasks_counted = 0;
    for (const auto& task : average_tasks) {
      const Json* cell = find_cell(summary, task, model);
      if (!cell || (*cell)["n"].get<int>() == 0) continue;
      ++tasks_counted;
      const auto seeds = (*cell)["seeds"].get<std::vector<int64_t>>();
      const auto finals = values_of(*cell, "final"), bests = values_of(*cell, "best_val");
      for (size_t i = 0; i < seeds.size(); ++i) per_seed[seeds[i]].emplace_back(finals[i], bests[i]);
    }
    std::vector<double> finals, bests;
    Json seeds = Json::array();
    for (const auto& [seed, values] : per_seed) {
      if (static_cast<int>(values.size()) != tasks_counted) continue;  // a seed with every counted task
      double f = 0, b = 0;
      for (const auto& [fv, bv] : values) f += fv, b += bv;
      finals.push_back(f / tasks_counted);
      bests.push_back(b / tasks_counted);
      seeds.push_back(seed);
    }
    summary["averages"].push_back({{"model", model},
                                   {"tasks_counted", tasks_counted},
                                   {"tasks_expected", average_tasks.size()},
                                   {"seeds", seeds},
                                   {"final", interval_block(finals)},
                                   {"best_val", interval_block(bests)}});
  }

  for (const auto& task : tasks) {
    bool any = false;
    for (const auto& model : models) any = any || find_cell(summary, task, model);
    if (any) summary["comparisons"][task] = compare_models(summary, task, models);
  }

  // Validation curves of the completed seeds (those the table counts): mean, min and max at each step.
  for (const auto& task : tasks)
    for (const auto& model : models) {
      std::map<int64_t, std::vector<double>> at_step;
      for (const auto& r : runs) {
        if (r.value("task", "") != task || r.value("model", "") != model || !completed(r) || !r.contains("curves") ||
            !r["curves"].is_object() || !r["curves"].contains("val") || !r["curves"]["val"].is_array())
          continue;
        for (const auto& point : r["curves"]["val"])
          if (point.is_object() && point.contains("step") && point["step"].is_number_integer() &&
              point.contains("accuracy") && point["accuracy"].is_number())
            at_step[point["step"].get<int64_t>()].push_back(100.0 * point["accuracy"].get<double>());
      }
      if (at_step.empty()) continue;
      Json curve = Json::array();
      for (const auto& [step, values] : at_step) {
        double sum = 0;
        for (double v : values) sum += v;
        curve.push_back({{"step", step},
                         {"n", values.size()},
                         {"mean", sum / values.size()},
                         {"min", *std::min_element(values.begin(), values.end())},
                         {"max", *std::max_element(values.begin(), values.end())}});
      }
      summary["curves"][task][model] = curve;
    }
  return summary;
}

}  // namespace lra
