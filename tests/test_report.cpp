// lra report / plot: table building from hand-made run reports and bench rows.
#include "tests/catch_torch.h"

#include <cmath>

#include "lra/bench/bench.h"
#include "lra/report/plot.h"
#include "lra/report/report.h"
#include "lra/report/table2.h"

using lra::Json;
using Catch::Matchers::Contains;

namespace {
Json run(const std::string& task, const std::string& model, double final_test, double best_test,
         const std::string& source = "generated", bool substitute = false) {
  return {{"run_id", "x"}, {"task", task}, {"model", model}, {"status", "completed"}, {"profile", "cpu"},
          {"environment", {{"git_commit", "abc123"}}},
          {"data", {{"source", source}, {"substitute", substitute}}},
          {"accuracy", {{"final", {{"test", final_test}}}, {"best_val", {{"test", best_test}}}}},
          {"majority_baseline", {{"test", 0.1}}}};
}
Json bench_row(const std::string& model, int64_t n, double seconds, double bytes,
               const std::string& kernel = "fused") {
  return {{"model", model}, {"length", n}, {"status", "ok"}, {"step_time_median_s", seconds},
          {"steps_per_second", 1.0 / seconds}, {"peak_tensor_bytes", bytes}, {"attention_kernel", kernel}};
}
}  // namespace

TEST_CASE("table 1 shows final / best-val accuracy with the data source, and missing cells as missing", "[report]") {
  std::vector<Json> runs{run("listops", "luna-16", 0.35, 0.36), run("text", "luna-16", 0.6, 0.62, "synthetic", true),
                         run("listops", "transformer", 0.30, 0.31)};
  std::string table = lra::table1_markdown(runs, Json::object());
  // One seed each: the mean without an interval, n shown; the final table first, then the best-val one.
  CHECK_THAT(table, Contains("| luna-16 | 35.0 (n=1) G | 60.0 (n=1) S | missing | missing | missing | 47.50 (n=1) (2/5 tasks) |"));
  CHECK_THAT(table, Contains("| luna-16 | 36.0 (n=1) G | 62.0 (n=1) S | missing | missing | missing | 49.00 (n=1) (2/5 tasks) |"));
  CHECK_THAT(table, Contains("| transformer | 30.0 (n=1) G | missing |"));
  CHECK_THAT(table, Contains("*majority class* | 10.0 |"));
}

TEST_CASE("table 1 prints published rows with our delta on the task's generator at the paper profile", "[report]") {
  Json published = {{"table1", {{"luna-256", {{"source", "paper"}, {"listops", 37.98}, {"text", 65.78},
                                             {"retrieval", 79.56}, {"image", 47.86}, {"pathfinder", 78.55},
                                             {"avg", 61.95}}}}}};
  Json paper_run = run("listops", "luna-256", 0.40, 0.41);
  paper_run["profile"] = "paper";
  std::string table = lra::table1_markdown({paper_run}, published);
  CHECK_THAT(table, Contains("| luna-256 | paper | 37.98 (ours +2.0) | 65.78 |"));
}

TEST_CASE("an unfinished run is shown with its status", "[report]") {
  Json r = run("image", "linformer", 0.5, 0.5);
  r["status"] = "diverged";
  CHECK_THAT(lra::table1_markdown({r}, Json::object()), Contains("| (n=0 of 1; seed 0 diverged) |"));
}

TEST_CASE("bench ratios and table 2 compare every model with the Transformer at the same length", "[report]") {
  Json rows = Json::array({bench_row("transformer", 1024, 2.0, 4e9), bench_row("luna-16", 1024, 0.5, 1e9),
                           bench_row("luna-16", 2048, 1.0, 2e9)});
  rows.push_back({{"model", "transformer"}, {"length", 2048}, {"status", "skipped: est. 30 GB > limit 20 GB"}});
  lra::add_ratios(rows, "transformer");
  CHECK(rows[1]["speedup_vs_transformer"].get<double>() == Approx(4.0));
  CHECK(rows[1]["memory_fraction_vs_transformer"].get<double>() == Approx(0.25));
  CHECK_FALSE(rows[2].contains("speedup_vs_transformer"));
  Json bench = {{"rows", rows}, {"batch", 4}, {"task", "text"}};
  std::string table = lra::table2_markdown(bench, Json::object());
  CHECK_THAT(table, Contains("| luna-16 | fused (probabilities recomputed in backward) | 2.000 (4.0×) | 1.000 |"));
  CHECK_THAT(table, Contains("skipped: est. 30 GB > limit 20 GB"));
  CHECK_THAT(table, Contains("| luna-16 | fused (probabilities recomputed in backward) | 1.000 (0.25×) | 2.000 |"));
  CHECK_THAT(table, !Contains("materialised"));
  std::string csv = lra::bench_csv(rows);
  CHECK_THAT(csv, Contains("luna-16,1024,,ok,,0.5,"));
}

TEST_CASE("table 2 shows the Transformer twice, fused and materialised, with ratios against each", "[report]") {
  Json materialised = bench_row("transformer", 1024, 4.0, 8e9, "materialised");
  materialised["variant"] = "materialised";
  Json rows = Json::array({bench_row("transformer", 1024, 2.0, 1e9), materialised,
                           bench_row("luna-16", 1024, 0.5, 0.5e9), bench_row("linear-transformer", 1024, 0.4, 0.4e9, "none")});
  lra::add_ratios(rows, "transformer");
  CHECK(rows[2]["speedup_vs_transformer"].get<double>() == Approx(4.0));
  CHECK(rows[2]["speedup_vs_transformer_materialised"].get<double>() == Approx(8.0));
  CHECK(rows[2]["memory_fraction_vs_transformer_materialised"].get<double>() == Approx(0.0625));
  CHECK(rows[1]["memory_fraction_vs_transformer"].get<double>() == Approx(8.0));
  CHECK(lra::bench_row_label(rows[1]) == "transformer (materialised)");
  const std::string table = lra::table2_markdown({{"rows", rows}, {"batch", 4}}, Json::object());
  CHECK_THAT(table, Contains("| transformer (materialised) | materialised (probabilities stored for backward) | 0.250 (0.5×) |"));
  CHECK_THAT(table, Contains("| linear-transformer | no softmax attention (own mixing) |"));
  CHECK_THAT(table, Contains("Against the transformer with its probabilities materialised"));
  CHECK_THAT(table, Contains("| luna-16 | fused (probabilities recomputed in backward) | 2.000 (8.0×) |"));
  CHECK_THAT(table, Contains("| luna-16 | fused (probabilities recomputed in backward) | 0.500 (0.06×) |"));
  const std::string csv = lra::bench_csv(rows);
  CHECK_THAT(csv, Contains(",materialised,materialised,"));
}

TEST_CASE("peak memory is extrapolated by the measured log-log slope", "[report][bench]") {
  CHECK(lra::estimate_peak_bytes({}, 4096) == 0.0);
  CHECK(lra::estimate_peak_bytes({{1024, 1e9}}, 2048) == Approx(4e9));             // quadratic worst case
  CHECK(lra::estimate_peak_bytes({{1024, 1e9}, {2048, 2e9}}, 8192) == Approx(8e9));  // linear
  CHECK(lra::estimate_peak_bytes({{1024, 1e9}, {2048, 4e9}}, 4096) == Approx(16e9));
}

TEST_CASE("plots carry one data block per model and the bubble chart joins accuracy and speed", "[report][plot]") {
  Json bench = {{"rows", Json::array({bench_row("transformer", 1024, 2.0, 4e9), bench_row("luna-16", 1024, 0.5, 1e9),
                                      bench_row("luna-16", 2048, 1.0, 2e9)})},
                {"batch", 4}};
  auto figures = lra::make_figures(bench, {run("listops", "luna-16", 0.35, 0.36), run("listops", "transformer", 0.3, 0.3)});
  REQUIRE(figures.size() == 3);
  CHECK(figures[0].name == "step-time-vs-length");
  CHECK_THAT(figures[0].data, Contains("# luna-16\n1024 0.5\n2048 1\n"));
  CHECK_THAT(figures[0].script, Contains("index 1"));
  CHECK_THAT(figures[2].data, Contains("\"luna-16\" 35 2 953.674 0\n"));  // one seed: no error bar
}

TEST_CASE("SPT runs get their own rows beside the scratch rows, with updates, gain and verdict", "[report][pretrain]") {
  auto seeded = [](Json r, int seed, const std::string& protocol, int64_t pretrain) {
    r["seed"] = seed;
    r["protocol"] = protocol;
    r["updates"] = {{"pretrain", pretrain}, {"train", 900 - pretrain}, {"total", 900}};
    return r;
  };
  std::vector<Json> runs;
  const double scratch[] = {0.30, 0.31, 0.32}, spt[] = {0.40, 0.41, 0.42};
  for (int s = 0; s < 3; ++s) {
    runs.push_back(seeded(run("listops", "luna-16", scratch[s], scratch[s]), s + 1, "scratch", 0));
    runs.push_back(seeded(run("listops", "luna-16", spt[s], spt[s]), s + 1, "spt", 450));
    Json pre = {{"run_id", "p"}, {"task", "listops"}, {"model", "luna-16"}, {"status", "completed"},
                {"objective", "masked_tokens"}, {"seed", s + 1},
                {"curves", {{"train", Json::array({{{"step", 450}, {"accuracy", 0.2}, {"loss", 2.0}}})}}}};
    runs.push_back(pre);
  }
  const std::string report = lra::report_markdown(runs, nullptr, Json::object());
  // Table 1 holds the scratch runs only: 31.0, not a mean over both protocols.
  CHECK_THAT(report, Contains("| luna-16 | 31.0 ± 2.5 (n=3) G |"));
  CHECK_THAT(report, Contains("| listops | luna-16 | scratch | 0 + 900 = 900 | 31.0 ± 2.5 (n=3) |"));
  CHECK_THAT(report, Contains("| listops | luna-16 | **SPT** | 450 + 450 = 900 | 41.0 ± 2.5 (n=3) | 41.0 ± 2.5 | 20.0 ± 0.0 | +10.0 ± 2.3 | SPT better |"));
  CHECK_THAT(report, Contains("from scratch 3, SPT fine-tuning 3, pretraining 3"));
  const Json summary = lra::report_summary(runs);
  REQUIRE(summary.contains("spt"));
  CHECK(summary["spt"]["rows"][0]["gain"]["verdict"] == "SPT better");
  // Without SPT runs there is no SPT section.
  CHECK_FALSE(lra::report_summary({runs[0]}).contains("spt"));
}

TEST_CASE("an SPT row that trained other updates in all than its scratch row gets no gain", "[report][pretrain]") {
  std::vector<Json> runs;
  for (int s = 1; s <= 2; ++s) {
    Json scratch = run("image", "luna-16", 0.5, 0.5), spt = run("image", "luna-16", 0.6, 0.6);
    scratch["seed"] = spt["seed"] = s;
    scratch["updates"] = {{"pretrain", 0}, {"train", 300}, {"total", 300}};
    spt["protocol"] = "spt";
    spt["updates"] = {{"pretrain", 150}, {"train", 300}, {"total", 450}};
    runs.push_back(scratch);
    runs.push_back(spt);
  }
  const Json summary = lra::report_summary(runs);
  CHECK(summary["spt"]["rows"][0]["gain"]["verdict"] == "not compared: unequal updates (scratch 300, SPT 450)");
  CHECK(summary["spt"]["rows"][0]["gain"]["difference"].is_null());
}

TEST_CASE("table 2 gives each row's growth exponent with length (least squares in log-log)", "[report]") {
  CHECK(lra::log_log_slope({1024, 2048, 4096}, {1.0, 2.0, 4.0}) == Approx(1.0));
  CHECK(lra::log_log_slope({1024, 2048, 4096}, {1.0, 4.0, 16.0}) == Approx(2.0));
  CHECK(std::isnan(lra::log_log_slope({1024}, {1.0})));
  Json rows = Json::array({bench_row("transformer", 1024, 1.0, 1e9), bench_row("transformer", 2048, 4.0, 4e9),
                           bench_row("s4d", 1024, 1.0, 1e9, "none"), bench_row("s4d", 2048, 2.0, 2e9, "none"),
                           bench_row("luna-16", 1024, 1.0, 1e9)});
  const std::string table = lra::table2_markdown({{"rows", rows}, {"batch", 4}}, Json::object());
  CHECK_THAT(table, Contains("| transformer | fused (probabilities recomputed in backward) | 2.00 | 2.00 | 1024–2048 |"));
  CHECK_THAT(table, Contains("| s4d | no softmax attention (own mixing) | 1.00 | 1.00 | 1024–2048 |"));
  CHECK_THAT(table, Contains("| luna-16 | fused (probabilities recomputed in backward) | – | – | 1 |"));
}

TEST_CASE("Table 2's setup line names the GPU of a CUDA bench and the CPU of a CPU one", "[report]") {
  const Json rows = Json::array({bench_row("luna-16", 1024, 0.5, 1e9)});
  Json environment = {{"cpu", "AMD EPYC"}, {"threads", 2}, {"git_commit", "abc"}, {"device", "cpu"}, {"gpu", ""}};
  CHECK_THAT(lra::table2_markdown({{"rows", rows}, {"environment", environment}}, Json::object()),
             Contains("warm-up, AMD EPYC, 2 threads, lra commit abc."));
  environment["device"] = "cuda";
  environment["gpu"] = "NVIDIA H200";
  CHECK_THAT(lra::table2_markdown({{"rows", rows}, {"environment", environment}}, Json::object()),
             Contains("warm-up, NVIDIA H200 (cuda), host AMD EPYC, 2 threads, lra commit abc."));
  environment.erase("gpu");  // a CUDA bench from before the GPU's name was recorded
  CHECK_THAT(lra::table2_markdown({{"rows", rows}, {"environment", environment}}, Json::object()),
             Contains("a CUDA GPU (name not recorded) (cuda), host AMD EPYC"));
}
