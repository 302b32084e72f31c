// lra report DIR / lra plot DIR: Markdown tables and gnuplot figures from run reports + bench.
#include <filesystem>
#include <iostream>

#include "core/atomic_file.h"
#include "lra/report/bench_compare.h"
#include "lra/report/bench_rows.h"
#include "lra/cli/commands.h"
#include "lra/config/config.h"
#include "core/errors.h"
#include "lra/report/plot.h"
#include "lra/report/report.h"
#include "lra/report/run_report.h"

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
  Json bench = load_json_file(path);
  validate_bench(bench, path);
  return bench;
}

// A folder with neither a run report nor a bench result is a mistake (a typo, the wrong folder), never an
// empty report. Unreadable run reports do not count as run reports here: they are named in the output.
void require_input(const RunReportScan& scan, const Json& bench, const std::string& dir) {
  if (!scan.runs.empty() || !bench.is_null()) return;
  std::string why = dir + " holds no readable run report (no */latest.json" +
                    (scan.unusable.empty() ? std::string(")") : ", " + std::to_string(scan.unusable.size()) +
                                                                    " that cannot be read: " + scan.unusable[0].path +
                                                                    ": " + scan.unusable[0].why + ")") +
                    " and no bench result (" + dir + "/bench/bench.json)";
  throw UserError(why + "; hint: give the --out folder of `lra train` or ./run_all.sh, or --bench FILE");
}

// Names on stderr every run report left out; the exit status says whether the input was partial.
int name_left_out(const RunReportScan& scan, const std::string& written) {
  for (const auto& f : scan.unusable) std::cerr << "lra: left out " << f.path << ": " << f.why << "\n";
  for (const auto& f : scan.superseded) std::cerr << "lra: note: left out " << f.path << ": " << f.why << "\n";
  for (const auto& gap : scan.sweep_gaps)
    std::cerr << "lra: the sweep's line " << gap.run.index << " (" << gap.run.run_folder << ") did not finish: " << gap.status
              << "\n";
  for (const auto& f : scan.input_mismatches) std::cerr << "lra: inputs differ: " << f.path << ": " << f.why << "\n";
  if (scan.unusable.empty() && scan.sweep_gaps.empty() && scan.input_mismatches.empty()) return 0;
  std::cerr << "lra: " << written << " is PARTIAL: ";
  if (!scan.unusable.empty())
    std::cerr << scan.unusable.size() << " run report" << (scan.unusable.size() == 1 ? "" : "s") << " could not be read";
  else if (!scan.sweep_gaps.empty())
    std::cerr << scan.sweep_gaps.size() << " of " << scan.sweep_runs << " runs of the sweep did not finish";
  else
    std::cerr << scan.input_mismatches.size() << " run" << (scan.input_mismatches.size() == 1 ? "" : "s")
              << " made with other inputs than the rest of the sweep or cell";
  std::cerr << " (exit " << kExitPartialInput << ")\n";
  return kExitPartialInput;
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
      const RunReportScan scan = scan_run_reports(options->dir);
      const Json bench = load_bench(*options);
      require_input(scan, bench, options->dir);
      std::string markdown = folder_report_markdown(scan, bench, load_published(config_dir));
      if (!options->before.empty()) {
        if (!std::filesystem::exists(options->before)) throw UserError("--before " + options->before + ": no such file");
        if (bench.is_null()) throw UserError("--before needs a bench result for DIR (--bench or DIR/bench/bench.json)");
        const Json before = load_json_file(options->before);
        validate_bench(before, options->before);
        markdown += "\n## Before / after\n\n" + bench_comparison_markdown(before, bench);
      }
      const std::string profiles = op_profile_markdown(bench);
      if (!profiles.empty()) markdown += "\n## Where a step's time goes (lra bench --op-profile)\n\n" + profiles;
      const std::string out = options->out.empty() ? options->dir + "/report.md" : options->out;
      const std::string summary = (std::filesystem::path(out).parent_path() / "summary.json").string();
      if (!scan.runs.empty()) write_text_atomically(summary, folder_report_summary(scan).dump(2) + "\n");
      write_text_atomically(out, markdown);
      std::cout << markdown << "\nreport: " << out << " (" << scan.runs.size() << " runs)"
                << (scan.runs.empty() ? "" : "; aggregates: " + summary) << "\n";
      return name_left_out(scan, "report: " + out);
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
      const RunReportScan scan = scan_run_reports(options->dir);
      const Json bench = load_bench(*options);
      require_input(scan, bench, options->dir);
      const std::string out = options->out.empty() ? options->dir + "/figures" : options->out;
      std::filesystem::create_directories(out);
      for (const auto& png : write_plots(bench, scan.runs, out)) std::cout << png << "\n";
      return name_left_out(scan, "figures: " + out);
    };
  });
}

}  // namespace lra::cli
