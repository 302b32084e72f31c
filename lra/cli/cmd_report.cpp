// lra report DIR / lra plot DIR: Markdown tables and gnuplot figures from run reports + bench.
#include <filesystem>
#include <iostream>

#include "core/atomic_file.h"
#include "lra/bench_compare.h"
#include "lra/cli/commands.h"
#include "lra/config.h"
#include "core/errors.h"
#include "lra/plot.h"
#include "lra/report.h"

namespace lra::cli {

namespace {
struct ReportOptions {
  std::string dir;
  std::string bench;  // default: DIR/bench/bench.json when present
  std::string out;    // default: DIR/report.md  (plots: DIR/figures)
  std::string before; // optional bench.json to compare the bench against (before/after table)
};

Json load_bench(const ReportOptions& options) {
  std::string path = options.bench.empty() ? options.dir + "/bench/bench.json" : options.bench;
  if (!std::filesystem::exists(path)) {
    if (!options.bench.empty()) throw UserError("--bench " + path + ": no such file");
    return nullptr;
  }
  return load_json_file(path);
}

void add_common(CLI::App& command, ReportOptions& options) {
  command.add_option("dir", options.dir, "folder with run reports (searched recursively for latest.json)")
      ->required();
  command.add_option("--bench", options.bench, "bench.json (default DIR/bench/bench.json)");
}
}  // namespace

void add_report_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* report = app.add_subcommand("report", "Markdown Table 1 and Table 2 beside the published numbers");
  auto options = std::make_shared<ReportOptions>();
  add_common(*report, *options);
  report->add_option("--out", options->out, "output file (default DIR/report.md)");
  report->add_option("--before", options->before,
                     "an earlier bench.json: adds a before/after table against this report's bench");
  report->callback([&global, &action, options] {
    action = [&global, options] {
      const std::string config_dir = global.config_dir.empty() ? default_config_dir() : global.config_dir;
      auto runs = collect_run_reports(options->dir);
      const Json bench = load_bench(*options);
      std::string markdown = report_markdown(runs, bench, load_published(config_dir));
      if (!options->before.empty()) {
        if (!std::filesystem::exists(options->before)) throw UserError("--before " + options->before + ": no such file");
        if (bench.is_null()) throw UserError("--before needs a bench result for DIR (--bench or DIR/bench/bench.json)");
        markdown += "\n## Before / after\n\n" + bench_comparison_markdown(load_json_file(options->before), bench);
      }
      const std::string profiles = op_profile_markdown(bench);
      if (!profiles.empty()) markdown += "\n## Where a step's time goes (lra bench --op-profile)\n\n" + profiles;
      const std::string out = options->out.empty() ? options->dir + "/report.md" : options->out;
      const std::string summary = (std::filesystem::path(out).parent_path() / "summary.json").string();
      if (!runs.empty()) write_text_atomically(summary, report_summary(runs).dump(2) + "\n");
      write_text_atomically(out, markdown);
      std::cout << markdown << "\nreport: " << out << " (" << runs.size() << " runs)" << (runs.empty() ? "" : "; aggregates: " + summary) << "\n";
      return 0;
    };
  });
}

void add_plot_command(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  auto* plot = app.add_subcommand("plot", "gnuplot figures (PNG + SVG + .gp + .dat): time, memory, bubble chart, learning curves");
  auto options = std::make_shared<ReportOptions>();
  add_common(*plot, *options);
  plot->add_option("--out", options->out, "output folder (default DIR/figures)");
  plot->callback([&action, options] {
    action = [options] {
      Json bench = load_bench(*options);
      const auto runs = collect_run_reports(options->dir);
      if (bench.is_null() && runs.empty())
        throw UserError("no run reports and no bench result in " + options->dir +
                        "; hint: run `lra train --out " + options->dir + "/...` or `lra bench --out " + options->dir +
                        "/bench` first");
      const std::string out = options->out.empty() ? options->dir + "/figures" : options->out;
      std::filesystem::create_directories(out);
      for (const auto& png : write_plots(bench, runs, out)) std::cout << png << "\n";
      return 0;
    };
  });
}

}  // namespace lra::cli
