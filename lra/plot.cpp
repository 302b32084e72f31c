#include "lra/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "lra/atomic_file.h"
#include "lra/errors.h"
#include "lra/report.h"

namespace lra {
namespace {

std::vector<std::string> bench_models(const Json& bench) {
  std::vector<std::string> models;
  for (const auto& row : bench["rows"]) {
    std::string m = row["model"];
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
      if (row["model"] == m && row.value("status", "") == "ok")
        data << row["length"].get<int64_t>() << " " << row[column].get<double>() * scale << "\n";
    data << "\n\n";
    // gnuplot's default cycle has 8 colours; ten distinct ones and varying point shapes keep up to 10
    // models apart (9 are registered).
    static const char* const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    plot << (index ? ", \\\n     " : "plot ") << "'" << name << ".dat' index " << index
         << " using 1:2 with linespoints lw 2 lc rgb '" << colours[index % 10] << "' pt " << 5 + 2 * (index % 4)
         << " title '" << m << "'";
    ++index;
  }
  std::ostringstream script;
  script << "set title '" << title << "'\nset logscale xy 2\nset xlabel 'sequence length (tokens)'\nset ylabel '"
         << ylabel << "'\nset grid\nset key top left\n" << plot.str() << "\n";
  return {name, data.str(), script.str()};
}

}  // namespace

std::vector<Figure> make_figures(const Json& bench, const std::vector<Json>& runs) {
  std::vector<Figure> figures;
  if (!bench.is_null() && bench.contains("rows")) {
    figures.push_back(per_length_figure(bench, "step-time-vs-length", "step_time_median_s", 1.0,
                                        "training step time (s, median)", "Step time vs length (" +
                                            bench.value("task", "text") + " config, batch " +
                                            std::to_string(bench.value("batch", 0)) + ")"));
    figures.push_back(per_length_figure(bench, "peak-memory-vs-length", "peak_tensor_bytes", 1.0 / (1 << 20),
                                        "peak tensor memory (MiB)", "Peak memory vs length"));
    // Bubble chart at the longest length where every model with accuracy has a bench row.
    std::map<std::string, std::pair<double, int>> accuracy;  // model -> (sum, count) over the 5 tasks
    for (const auto& r : runs)
      if (r.value("status", "") == "completed" && r.contains("accuracy") && r.value("task", "") != "pathx") {
        auto& a = accuracy[r["model"].get<std::string>()];
        a.first += 100.0 * r["accuracy"]["final"]["test"].get<double>();
        a.second += 1;
      }
    int64_t length = 0;
    for (const auto& row : bench["rows"])
      if (row.value("status", "") == "ok" && row["model"] == "transformer")
        length = std::max<int64_t>(length, row["length"]);
    if (length == 0)
      for (const auto& row : bench["rows"])
        if (row.value("status", "") == "ok") length = std::max<int64_t>(length, row["length"]);
    std::ostringstream data;
    data << "# model avg_accuracy steps_per_second peak_mib (bench length " << length << ")\n";
    int points = 0;
    for (const auto& row : bench["rows"]) {
      if (row.value("status", "") != "ok" || row["length"] != length) continue;
      auto it = accuracy.find(row["model"]);
      if (it == accuracy.end()) continue;
      data << "\"" << row["model"].get<std::string>() << "\" " << it->second.first / it->second.second << " "
           << row["steps_per_second"].get<double>() << " " << row["peak_tensor_bytes"].get<double>() / (1 << 20)
           << "\n";
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
                "solid 0.35 lc rgb '#1f77b4' axes x1y1, \\\n     '' using 3:2:1 with labels offset 0,1.6\n";
      figures.push_back({"accuracy-speed-memory", data.str(), script.str()});
    }
  }
  return figures;
}

std::vector<std::string> write_plots(const Json& bench, const std::vector<Json>& runs, const std::string& out_dir) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
    throw UserError("gnuplot is not installed; hint: sudo apt-get install gnuplot-nox (or run scripts/setup.sh)");
  std::vector<std::string> written;
  for (const auto& figure : make_figures(bench, runs)) {
    const std::string base = out_dir + "/" + figure.name;
    write_text_atomically(base + ".dat", figure.data);
    std::ostringstream script;
    script << "# " << figure.name << ": render with `gnuplot " << figure.name << ".gp` in this folder\n"
           << "set terminal pngcairo size 900,600 noenhanced\nset output '" << figure.name << ".png'\n"
           << figure.script << "set terminal svg size 900,600 noenhanced\nset output '" << figure.name << ".svg'\n"
           << "replot\n";
    write_text_atomically(base + ".gp", script.str());
    const std::string command = "cd '" + out_dir + "' && gnuplot '" + figure.name + ".gp' 2>&1";
    if (std::system(command.c_str()) != 0) throw UserError("gnuplot failed on " + base + ".gp");
    written.push_back(base + ".png");
  }
  return written;
}

}  // namespace lra
