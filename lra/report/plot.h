#pragma once
// `lra plot DIR`: gnuplot figures from a bench result and run reports. Each figure is written as
// <name>.png and <name>.svg with its <name>.gp script and <name>.dat data beside it, so a user can
// restyle and re-render it (`gnuplot <name>.gp`).
//   step-time-vs-length   log-log, one line per model
//   peak-memory-vs-length log-log, one line per model
//   accuracy-speed-memory LRA Figure 3: average accuracy (mean over seeds, 95% interval as error bar)
//                         vs steps/s, bubble area = peak memory
//   learning-curves       validation accuracy vs update, a panel per task: mean over seeds, min-max band
// The first three need a bench result; the learning curves need only run reports.
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

// Writes the figures into out_dir; returns the PNG paths written. UserError when gnuplot is missing.
std::vector<std::string> write_plots(const Json& bench, const std::vector<Json>& runs, const std::string& out_dir);

// The data blocks and script of one figure (exposed for tests).
struct Figure {
  std::string name;
  std::string data;    // gnuplot data file contents
  std::string script;  // without the terminal/output lines
};
std::vector<Figure> make_figures(const Json& bench, const std::vector<Json>& runs);

}  // namespace lra
