// Before/after bench comparison and the op-profile section of `lra report`.
#include "tests/catch_torch.h"

#include "lra/report/bench_compare.h"
#include "lra/report/plot.h"
#include "lra/report/report.h"

using Catch::Matchers::Contains;

namespace {

lra::Json row(const std::string& model, int64_t n, double seconds, double peak, double rss) {
  return {{"model", model}, {"length", n}, {"status", "ok"}, {"step_time_median_s", seconds},
          {"peak_tensor_bytes", peak}, {"peak_rss_bytes", rss}, {"flop_utilisation", 0.5},
          {"runtime", {{"dropout", "fast"}}}};
}

}  // namespace

TEST_CASE("the before/after table pairs cells by model and length", "[report][bench]") {
  const lra::Json before = {{"rows", {row("luna-16", 1024, 2.0, 4e9, 5e9),
                                      {{"model", "transformer"}, {"length", 4096}, {"status", "skipped: est. 30 GB > limit"}}}}};
  const lra::Json after = {{"rows", {row("luna-16", 1024, 0.5, 2e9, 3e9), row("transformer", 4096, 10.0, 9e9, 9e9),
                                     row("linformer", 1024, 1.0, 1e9, 1e9)}}};
  const auto md = lra::bench_comparison_markdown(before, after);
  CHECK_THAT(md, Contains("| luna-16 | 1024 | 2.000 | 0.500 | 4.00× | 50% | 50% | | | | 4.000 | 2.000 | 1.50 |"));
  CHECK_THAT(md, Contains("| transformer | 4096 | skipped: est. 30 GB > limit | 10.000 |"));
  CHECK_THAT(md, Contains("| linformer | 1024 | missing | 1.000 |"));
  CHECK_THAT(md, Contains("After: runtime {\"dropout\":\"fast\"}"));
}

TEST_CASE("the before/after table pairs --cells rows by task too, with evaluation throughput", "[report][bench]") {
  auto cell = [](const std::string& task, double seconds, double eval) {
    auto r = row("luna-16", 257, seconds, 1e8, 2e8);
    r["task"] = task;
    r["eval_examples_per_second"] = eval;
    return r;
  };
  const lra::Json before = {{"rows", {cell("listops", 0.02, 1000), cell("retrieval", 0.04, 500)}}};
  const lra::Json after = {{"rows", {cell("retrieval", 0.01, 1500), cell("listops", 0.01, 3000)}}};
  const auto md = lra::bench_comparison_markdown(before, after);
  CHECK_THAT(md, Contains("| retrieval / luna-16 | 257 | 0.040 | 0.010 | 4.00× | 50% | 50% | 500 | 1500 | 3.00× |"));
  CHECK_THAT(md, Contains("| listops / luna-16 | 257 | 0.020 | 0.010 | 2.00× | 50% | 50% | 1000 | 3000 | 3.00× |"));
}

TEST_CASE("the op-profile section lists the largest ops of each profiled cell", "[report][bench]") {
  lra::Json profiled = row("luna-16", 4096, 1.0, 1e9, 1e9);
  profiled["op_profile"] = {{"total_ms", 1500.0},
                            {"ops", {{{"name", "aten::addmm"}, {"calls", 12}, {"self_ms", 900.0}, {"share", 0.6}},
                                     {{"name", "lra::fast_dropout"}, {"calls", 8}, {"self_ms", 600.0}, {"share", 0.4}}}}};
  const lra::Json bench = {{"rows", {row("transformer", 1024, 1.0, 1e9, 1e9), profiled}}};
  const auto md = lra::op_profile_markdown(bench, 1);
  CHECK_THAT(md, Contains("**luna-16, n = 4096** (one profiled step, 1.50 s of op self time)"));
  CHECK_THAT(md, Contains("| `aten::addmm` | 12 | 0.900 | 60.0% |"));
  CHECK_THAT(md, !Contains("fast_dropout"));  // top 1 only
  CHECK(lra::op_profile_markdown(lra::Json{{"rows", {row("x", 1, 1, 1, 1)}}}).empty());
}

TEST_CASE("a --cells bench gets no Table 2 and no per-length figures", "[report][bench]") {
  auto cell = row("luna-16", 257, 0.01, 1e8, 2e8);
  cell["task"] = "listops";
  cell["steps_per_second"] = 100.0;
  const lra::Json bench = {{"mode", "cells"}, {"rows", {cell}}};
  const auto md = lra::report_markdown({}, bench, lra::Json::object());
  CHECK_THAT(md, Contains("not a sweep over lengths"));
  CHECK_THAT(md, !Contains("| steps/s"));
  for (const auto& figure : lra::make_figures(bench, {})) CHECK(figure.name.find("vs-length") == std::string::npos);
}
