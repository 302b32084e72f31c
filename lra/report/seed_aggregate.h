#pragma once
// Run reports of several seeds -> per-cell means with 95% intervals, each model against the
// Transformer (Welch's t-test), ranks with ties, the smallest detectable difference per task, and
// validation learning curves over seeds. The result is summary.json; `lra report` renders it.
//
// summary.json (percent throughout):
//   cells[]:       task, model, profile, data_mark, seeds (completed), n, not_completed [{seed, status}],
//                  final / best_val {values, n, mean, sd, half_width, low, high}, majority,
//                  above_majority (the interval's low end above the majority class; null below n = 2)
//   averages[]:    model, tasks_counted, seeds (those with all tasks), final / best_val {...}
//   comparisons{}: task -> reference, rows [{model, difference, half_width, df, p_value, verdict}],
//                  ranks {model: rank}, pooled_sd, seeds_per_model, minimum_detectable_difference
//   curves{}:      task -> model -> [{step, n, mean, min, max}] (validation accuracy)
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

// The model every other one is compared with on each task.
inline constexpr const char* kReferenceModel = "transformer";

// Verdicts of a comparison.
inline constexpr const char* kBetter = "better";
inline constexpr const char* kWorse = "worse";
inline constexpr const char* kNotDistinguishable = "not distinguishable at 95%";
inline constexpr const char* kTooFewSeeds = "too few seeds (n < 2)";

// tasks: the table's columns in order (cells of other tasks are ignored); average_tasks: the tasks
// whose per-seed mean forms the average column.
Json aggregate_seeds(const std::vector<Json>& runs, const std::vector<std::string>& tasks,
                     const std::vector<std::string>& average_tasks);

// The cell of summary["cells"] for (task, model), or nullptr.
const Json* find_cell(const Json& summary, const std::string& task, const std::string& model);

// JSON has no NaN: an undefined statistic is null.
Json number_or_null(double x);

// value with exactly `decimals` digits after the point ("34.60").
std::string fixed(double value, int decimals);

// "34.6 ± 1.2" (n >= 2; the 95% half-width), "34.6" (n = 1: no interval), from a {mean, half_width, n} block.
std::string mean_pm(const Json& block, int decimals = 1);

}  // namespace lra
