// What `lra report`, `lra plot` and `lra plan` read back: a results folder's run reports (latest.json)
// and a bench result (bench.json). Byte 0 of the input picks which one the rest replaces:
//   even: the latest.json of one run in a folder of three (the other two stay valid reports);
//   odd:  the bench.json beside them.
// Then the folder is scanned and every reader runs: the report (Table 1, Table 2, before/after, op
// profile, missing runs, inputs that differ between seeds, summary.json), the figures' data and the plan's
// estimate. A file that cannot be used must be named (scan.unusable) or refused with one UserError line;
// nothing may throw otherwise, and a report over unusable reports or differing inputs says PARTIAL.
#include "fuzz/fuzz_support.h"
#include "core/atomic_file.h"
#include "lra/report/bench_compare.h"
#include "lra/report/bench_rows.h"
#include "lra/report/plot.h"
#include "lra/report/report.h"
#include "lra/report/run_plan.h"
#include "lra/report/run_report.h"

namespace {

lra::Json valid_run(const std::string& model, int seed, double test) {
  return {{"schema_version", lra::kReportSchemaVersion},
          {"run_id", "20260101-000000-1-000" + std::to_string(seed)},
          {"task", "listops"}, {"model", model}, {"seed", seed}, {"status", "completed"}, {"profile", "cpu"},
          {"environment", {{"git_commit", "abc"}, {"cpu", "x"}, {"threads", 2}, {"hostname", "h"}}},
          {"data", {{"source", "generated"}, {"substitute", false}}},
          {"timing", {{"wall_seconds", 10.0}}},
          {"majority_baseline", {{"test", 0.2}}},
          {"curves", {{"val", lra::Json::array({{{"step", 10}, {"accuracy", test}}})}}},
          {"accuracy", {{"final", {{"test", test}}}, {"best_val", {{"test", test}}}}},
          {"inputs", {{"config_sha256", std::string(64, 'c')}, {"resolved_config_sha256", std::string(64, 'c')},
                      {"data", {{"folder", "data/listops-1000"}, {"sha256", std::string(64, 'd')}, {"files", 4},
                                {"bytes", 100}, {"parts", {{"basic_test.tsv", std::string(64, 'e')}}}}},
                      {"model_source", nullptr}, {"lra_commit", "abc"}}},
          {"accepted_changes", lra::Json::array()}};
}

struct Setup {
  lra_fuzz::fs::path root = lra_fuzz::scratch() / "runs";
  lra_fuzz::fs::path fuzzed_run = root / "listops" / "luna-16" / "seed-2" / "latest.json";
  lra_fuzz::fs::path bench = root / "bench" / "bench.json";
  std::string valid_fuzzed_run = valid_run("luna-16", 2, 0.35).dump(2);
  std::string valid_bench;
  lra::Json published;
  Setup() {
    lra::write_text_atomically((root / "listops" / "luna-16" / "seed-1" / "latest.json").string(),
                               valid_run("luna-16", 1, 0.3).dump(2));
    lra::write_text_atomically((root / "listops" / "transformer" / "seed-1" / "latest.json").string(),
                               valid_run("transformer", 1, 0.32).dump(2));
    lra::Json rows = lra::Json::array();
    for (const char* model : {"transformer", "luna-16"})
      rows.push_back({{"model", model}, {"length", 1024}, {"status", "ok"}, {"step_time_median_s", 0.5},
                      {"steps_per_second", 2.0}, {"peak_tensor_bytes", 1e8}, {"attention_kernel", "fused"}});
    lra::add_ratios(rows, "transformer");
    valid_bench = lra::Json{{"schema_version", 1}, {"kind", "lra-bench"}, {"mode", "lengths"}, {"batch", 4},
                            {"rows", rows}}.dump(2);
    published = lra::load_published(lra::default_config_dir());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  if (size == 0) return 0;
  const bool fuzz_bench = data[0] % 2 == 1;
  lra_fuzz::write_file(fuzz_bench ? setup.bench : setup.fuzzed_run, data + 1, size - 1);
  lra_fuzz::write_file(fuzz_bench ? setup.fuzzed_run : setup.bench,
                       fuzz_bench ? setup.valid_fuzzed_run : setup.valid_bench);
  lra_fuzz::expect_success_or_user_error([&] {
    const lra::RunReportScan scan = lra::scan_run_reports(setup.root.string());
    if (!fuzz_bench && scan.unusable.empty() && scan.runs.size() != 3 && scan.superseded.empty()) {
      std::fprintf(stderr, "fuzz: a usable run report was neither kept nor named as left out\n");
      std::abort();
    }
    lra::Json bench = lra::load_json_file(setup.bench.string());
    lra::validate_bench(bench, setup.bench.string());
    const std::string report = lra::folder_report_markdown(scan, bench, setup.published);
    if ((!scan.unusable.empty() || !scan.input_mismatches.empty()) && report.find("PARTIAL") == std::string::npos) {
      std::fprintf(stderr, "fuzz: a report from partial input does not say so\n");
      std::abort();
    }
    lra::folder_report_summary(scan).dump();
    lra::make_figures(bench, scan.runs);
    lra::bench_comparison_markdown(bench, bench);
    lra::op_profile_markdown(bench);
    lra::RunPlan plan{"cpu", {"listops"}, {"luna-16", "transformer"}, 3, "runs/cpu", setup.root.string()};
    lra::plan_text(plan, lra::estimate_plan(plan, scan.runs));
  });
  return 0;
}
