#include "lra/report/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/report/bench_rows.h"
#include "lra/report/report.h"
#include "lra/report/seed_aggregate.h"

namespace lra {
namespace {

// gnuplot's default cycle has 8 colours; ten distinct ones and varying point shapes keep up to 10
// models apart (9 are registered).
const char* model_colour(int index) {
  static const char* const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return colours[index % 10];
}

std::vector<std::string> bench_models(const Json& bench) {
  std::vector<std::string> models;
  for (const auto& row : bench["rows"]) {
    const std::string m = bench_row_label(row);  // the materialised Transformer is a curve of its own
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  }
  return models;
}

// One data block per model (separated by two blank lines, gnuplot's `index`): length value.
Figure per_length_figure(const Json& bench, const std::string& name, const std::string& column, double scale,
                         const std::string& ylabel, const std::string& title) {
  std::ostringstream data, plot;
  const auto models = bench_models(bench);
  int index = 0;
  for (const auto& m : models) {
    data << "# " << m << "\n";
    for (const auto& row : bench["rows"])
      if (bench_row_label(row) == m && row.value("status", "") == "ok")
        data << row["length"].get<int64_t>() << " " << row[column].get<double>() * scale << "\n";
    data << "\n\n";
    plot << (index ? ", \\\n     " : "plot ") << "'" << name << ".dat' index " << index
         << " using 1:2 with linespoints lw 2 lc rgb '" << model_colour(index) << "' pt " << 5 + 2 * (index % 4)
         << " title '" << m << "'";
    ++index;
  }
  std::ostringstream script;
  script << "set title '" << title << "'\nset logscale xy 2\nset xlabel 'sequence length (tokens)'\nset ylabel '"
         << ylabel << "'\nset grid\nset key top left\n" << plot.str() << "\n";
  return {name, data.str(), script.str()};
}

// Validation accuracy against update, one panel per task, one colour per model: the mean over seeds as a
// line and the seeds' min-max as a band. Data blocks: one per (task, model), columns step mean min max.
Figure learning_curves_figure(const Json& summary) {
  std::ostringstream data, script;
  const auto models = summary["models"].get<std::vector<std::string>>();
  std::vector<std::string> tasks;
  for (const auto& t : summary["tasks"])
    if (summary["curves"].contains(t.get<std::string>())) tasks.push_back(t);
  const size_t columns = tasks.size() <= 2 ? tasks.size() : 3, rows = (tasks.size() + columns - 1) / columns;
  script << "set multiplot layout " << rows << "," << columns
         << " title 'Validation accuracy vs update: mean over seeds (line), min-max of the seeds (band)'\n"
            "set grid\nset key bottom right font ',8'\nset xlabel 'update'\nset ylabel 'val accuracy (%)'\n";
  int index = 0;
  for (const auto& task : tasks) {
    const Json& per_model = summary["curves"][task];
    script << "set title '" << task << "'\n";
    std::ostringstream plot;
    for (size_t m = 0; m < models.size(); ++m) {
      if (!per_model.contains(models[m])) continue;
      data << "# " << task << " " << models[m] << ": step mean min max\n";
      for (const auto& p : per_model[models[m]])
        data << p["step"].get<int64_t>() << " " << p["mean"].get<double>() << " " << p["min"].get<double>() << " "
             << p["max"].get<double>() << "\n";
      data << "\n\n";
      const std::string colour = model_colour(static_cast<int>(m));
      plot << (plot.tellp() > 0 ? ", \\\n     " : "plot ") << "'learning-curves.dat' index " << index
           << " using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '" << colour
           << "' notitle, '' index " << index << " using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '" << colour
           << "' title '" << models[m] << "'";
      ++index;
    }
    script << plot.str() << "\n";
  }
  script << "unset multiplot\n";
  return {"learning-curves", data.str(), script.str()};
}

}  // namespace

std::vector<Figure> make_figures(const Json& bench, const std::vector<Json>& runs) {
  std::vector<Figure> figures;
  const Json summary = report_summary(runs);
  // A --cells bench has one row per (task, model) at each cell's own length: no curves over length.
  if (!bench.is_null() && bench.contains("rows") && bench.value("mode", "") != "cells") {
    figures.push_back(per_length_figure(bench, "step-time-vs-length", "step_time_median_s", 1.0,
                                        "training step time (s, median)", "Step time vs length (" +
                                            bench.value("task", "text") + " config, batch " +
                                            std::to_string(bench.value("batch", 0)) + ")"));
    figures.push_back(per_length_figure(bench, "peak-memory-vs-length", "peak_tensor_bytes", 1.0 / (1 << 20),
                                        "peak tensor memory (MiB)", "Peak memory vs length"));
    // Bubble chart at the longest length where every model with accuracy has a bench row; the average
    // accuracy is the mean over seeds with its 95% interval as an error bar (none at one seed).
    std::map<std::string, std::pair<double, double>> accuracy;  // model -> (mean, half-width)
    for (const auto& avg : summary["averages"])
      if (!avg["final"]["mean"].is_null())
        accuracy[avg["model"].get<std::string>()] = {
            avg["final"]["mean"].get<double>(),
            avg["final"]["half_width"].is_null() ? 0.0 : avg["final"]["half_width"].get<double>()};
    int64_t length = 0;
    for (const auto& row : bench["rows"])
      if (row.value("status", "") == "ok" && row["model"] == kReferenceModel)
        length = std::max<int64_t>(length, row["length"]);
    if (length == 0)
      for (const auto& row : bench["rows"])
        if (row.value("status", "") == "ok") length = std::max<int64_t>(length, row["length"]);
    std::ostringstream data;
    data << "# model avg_accuracy steps_per_second peak_mib interval_half_width (bench length " << length << ")\n";
    int points = 0;
    for (const auto& row : bench["rows"]) {
      // The accuracy is the model's as trained (its default kernel), so only default rows are bubbles.
      if (row.value("status", "") != "ok" || row["length"] != length || row.contains("variant")) continue;
      auto it = accuracy.find(row["model"]);
      if (it == accuracy.end()) continue;
      data << "\"" << row["model"].get<std::string>() << "\" " << it->second.first << " "
           << row["steps_per_second"].get<double>() << " " << row["peak_tensor_bytes"].get<double>() / (1 << 20)
           << " " << it->second.second << "\n";
      ++points;
    }
    if (points > 0) {
      std::ostringstream script;
      script << "set title 'Accuracy vs speed at " << length
             << " tokens (bubble area = peak memory)'\nset xlabel 'training steps per second'\n"
                "set ylabel 'average test accuracy (%)'\nset grid\nset key off\nset offsets graph 0.15, graph 0.15, "
                "graph 0.15, graph 0.15\nstats 'accuracy-speed-memory.dat' using 4 nooutput name 'M'\n"
                "stats 'accuracy-speed-memory.dat' using 3 nooutput name 'X'\n"
                "plot 'accuracy-speed-memory.dat' using 3:2:(0.12*X_max*sqrt($4/M_max)) with circles fs transparent "
                "solid 0.35 lc rgb '#1f77b4' axes x1y1, \\\n     '' using 3:2:5 with yerrorbars pt 7 ps 0.4 lc rgb "
                "'#1f3f6f', \\\n     '' using 3:2:1 with labels offset 0,1.6\n";
      figures.push_back({"accuracy-speed-memory", data.str(), script.str()});
    }
  }
  if (!summary["curves"].empty()) figures.push_back(learning_curves_figure(summary));
  return figures;
}

std::vector<std::string> write_plots(const Json& bench, const std::vector<Json>& runs, const std::string& out_dir) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
    throw UserError("gnuplot is not installed; hint: sudo apt-get install gnuplot-nox (or run scripts/setup.sh)");
  std::vector<std::string> written;
  for (const auto& figure : make_figures(bench, runs)) {
    const std::string base = out_dir + "/" + figure.name;
    write_text_atomically(base + ".dat", figure.data);
    const std::string size = figure.name == "learning-curves" ? "1350,800" : "900,600";
    std::ostringstream script;
    script << "# " << figure.name << ": render with `gnuplot " << figure.name << ".gp` in this folder\n"
           << "set terminal pngcairo size " << size << " noenhanced\nset output '" << figure.name << ".png'\n"
           << figure.script << "set terminal svg size " << size << " noenhanced\nset output '" << figure.name
           << ".svg'\n" << figure.script;
    write_text_atomically(base + ".gp", script.str());
    const std::string command = "cd '" + out_dir + "' && gnuplot '" + figure.name + ".gp' 2>&1";
    if (std::system(command.c_str()) != 0) throw UserError("gnuplot failed on " + base + ".gp");
    written.push_back(base + ".png");
  }
  return written;
}

}  // namespace lra
