#pragma once
// Does every cell of Table 1 learn? A cell learns when its mean final test accuracy is at least
// kLearningMarginPoints above the majority class and its 95% interval over seeds lies above the
// majority class. Cells that do not are listed with their validation learning curve (mean over seeds
// at each evaluation), so a reader sees whether more updates would have helped.
//
// summary["learning"] (percent):
//   margin_points, cells_judged, cells_learning,
//   cells[]: task, model, n, mean, low, majority, above_by, verdict, curve [{step, mean}]
#include <string>

#include "lra/config/config.h"

namespace lra {

inline constexpr double kLearningMarginPoints = 10.0;

// Verdicts of one cell.
inline constexpr const char* kLearns = "learns";
inline constexpr const char* kNotAboveMajority = "at chance: the interval includes the majority class";
inline constexpr const char* kBelowMargin = "above chance, but by less than the margin";
inline constexpr const char* kOneSeed = "not judged: one seed has no interval";

// From a summary of lra/report/seed_aggregate.h (cells, curves).
Json learning_check(const Json& summary);

// The report's section: the criterion, how many cells learn, and a row with its curve for each that does not.
std::string learning_check_markdown(const Json& check);

}  // namespace lra
