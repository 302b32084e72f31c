// Seeds as an axis: Student-t intervals and Welch's test against hand-computed values, the seed
// aggregation and its significance decisions on synthetic report sets, missing and failed seeds,
// published deltas only on comparable data, and runs that are reused only by the same commit, config and data.
#include "tests/catch_torch.h"

#include <cmath>
#include <filesystem>

#include "core/atomic_file.h"
#include "lra/config/config.h"
#include "lra/runtime/environment.h"
#include "lra/report/learning_check.h"
#include "lra/report/plot.h"
#include "lra/report/report.h"
#include "lra/report/run_plan.h"
#include "lra/report/run_inputs.h"
#include "lra/report/run_report.h"
#include "lra/report/seed_aggregate.h"
#include "lra/report/seed_stats.h"
#include "lra/train/trainer.h"
#include "tests/run_support.h"
#include "lra/config/config_files.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using lra::Json;

namespace {

// t_{0.975, df} for df = 1..9 (printed tables), i.e. the 95% interval of n = 2..10 seeds.
const double kT975[] = {12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622};

Json seed_run(const std::string& task, const std::string& model, int seed, double final_test,
              const std::string& status = "completed", const std::string& profile = "cpu", bool substitute = false) {
  Json r = {{"schema_version", 1}, {"run_id", "r" + std::to_string(seed)}, {"task", task}, {"model", model}, {"seed", seed},
            {"status", status}, {"profile", profile},
            {"data", {{"source", substitute ? "synthetic" : "generated"}, {"substitute", substitute}}},
            {"majority_baseline", {{"test", 0.2}}},
            {"curves", {{"val", Json::array({{{"step", 10}, {"accuracy", final_test - 0.05}},
                                             {{"step", 20}, {"accuracy", final_test}}})}}}};
  if (status == "completed")
    r["accuracy"] = {{"final", {{"test", final_test}}}, {"best_val", {{"test", final_test + 0.01}}}};
  return r;
}

// Three seeds of a model on a task with the given final accuracies (fractions).
void add_seeds(std::vector<Json>& runs, const std::string& task, const std::string& model,
               std::initializer_list<double> finals) {
  int seed = 1;
  for (double f : finals) runs.push_back(seed_run(task, model, seed++, f));
}

}  // namespace

TEST_CASE("Student t quantiles match printed tables for n = 2..10 seeds", "[seeds][stats]") {
  for (int df = 1; df <= 9; ++df) {
    INFO("df " << df);
    CHECK(lra::student_t_quantile(0.975, df) == Approx(kT975[df - 1]).epsilon(1e-4));
    CHECK(lra::student_t_cdf(kT975[df - 1], df) == Approx(0.975).epsilon(1e-4));
  }
  CHECK(lra::student_t_quantile(0.8, 4) == Approx(0.9410).epsilon(1e-3));
  CHECK(lra::student_t_quantile(0.025, 5) == Approx(-2.5706).epsilon(1e-4));
  CHECK(lra::student_t_cdf(0.0, 3.5) == Approx(0.5));
  CHECK(lra::student_t_quantile(0.975, 1e7) == Approx(1.95996).epsilon(1e-4));
}

TEST_CASE("mean and 95% interval over n = 2..10 seeds equal the hand formula", "[seeds][stats]") {
  for (int n = 2; n <= 10; ++n) {
    std::vector<double> values;
    for (int i = 1; i <= n; ++i) values.push_back(i);  // mean (n+1)/2, sd sqrt(n(n+1)/12)
    const auto m = lra::mean_interval(values);
    INFO("n " << n);
    CHECK(m.n == n);
    CHECK(m.mean == Approx((n + 1) / 2.0));
    CHECK(m.sd == Approx(std::sqrt(n * (n + 1) / 12.0)));
    CHECK(m.half_width == Approx(kT975[n - 2] * std::sqrt(n * (n + 1) / 12.0) / std::sqrt(n)).epsilon(1e-4));
  }
  const auto one = lra::mean_interval({42.0});
  CHECK(one.mean == 42.0);
  CHECK_FALSE(one.has_interval());
  CHECK(std::isnan(one.half_width));
}

TEST_CASE("Welch's test separates a clearly different pair and not an equal one", "[seeds][stats]") {
  // Equal variances 2.5, n = 5 each: se = 1, df = 8, t = 5.
  const auto clear = lra::welch_test({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  CHECK(clear.difference == Approx(5.0));
  CHECK(clear.df == Approx(8.0));
  CHECK(clear.half_width == Approx(2.3060).epsilon(1e-4));
  CHECK(clear.p_value == Approx(0.001053).epsilon(0.02));
  CHECK(clear.distinguishable);
  // Unequal variances: df from Welch-Satterthwaite, (4/3 + 5/12)^2 / ((4/3)^2/2 + (5/12)^2/3).
  const auto unequal = lra::welch_test({10, 12, 14}, {20, 21, 22, 23});
  CHECK(unequal.df == Approx(3.0625 / (16.0 / 18.0 + 25.0 / 432.0)).epsilon(1e-6));
  const auto equal = lra::welch_test({1.0, 2.0, 3.0}, {1.5, 2.5, 1.8});
  CHECK_FALSE(equal.distinguishable);
  CHECK(equal.p_value > 0.5);
  CHECK_FALSE(lra::welch_test({1.0}, {5.0, 6.0}).distinguishable);  // one seed: no variance, no claim
}

TEST_CASE("the detectable difference uses the pooled spread, 80% power and 2n-2 df", "[seeds][stats]") {
  const auto pooled = lra::pooled_spread({{1, 3}, {10, 12, 14}, {7}});
  CHECK(pooled.df == 3);
  CHECK(pooled.sd == Approx(std::sqrt((2.0 + 8.0) / 3.0)));
  CHECK(lra::minimum_detectable_difference(2.0, 3) == Approx((2.7764 + 0.9410) * 2.0 * std::sqrt(2.0 / 3.0)).epsilon(1e-3));
  CHECK(std::isnan(lra::minimum_detectable_difference(2.0, 1)));
}

TEST_CASE("aggregation: means, verdicts against the Transformer, ranks with ties", "[seeds][report]") {
  std::vector<Json> runs;
  add_seeds(runs, "listops", "transformer", {0.50, 0.51, 0.52});
  add_seeds(runs, "listops", "luna-16", {0.60, 0.61, 0.62});     // clearly better
  add_seeds(runs, "listops", "linformer", {0.505, 0.515, 0.50});  // the same as the Transformer
  const Json s = lra::aggregate_seeds(runs, {"listops"}, {"listops"});
  const Json* luna = lra::find_cell(s, "listops", "luna-16");
  REQUIRE(luna);
  CHECK((*luna)["n"] == 3);
  CHECK((*luna)["final"]["mean"].get<double>() == Approx(61.0));
  CHECK((*luna)["final"]["half_width"].get<double>() == Approx(kT975[1] * 1.0 / std::sqrt(3.0)).epsilon(1e-4));
  CHECK((*luna)["best_val"]["mean"].get<double>() == Approx(62.0));
  CHECK((*luna)["above_majority"] == true);
  const Json& c = s["comparisons"]["listops"];
  for (const auto& row : c["rows"]) {
    if (row["model"] == "luna-16") CHECK(row["verdict"] == lra::kBetter);
    if (row["model"] == "linformer") CHECK(row["verdict"] == lra::kNotDistinguishable);
  }
  CHECK(c["ranks"]["luna-16"] == 1);
  CHECK(c["ranks"]["transformer"] == 2);
  CHECK(c["ranks"]["linformer"] == 2);  // tied: the seeds do not separate them
  CHECK(c["seeds_per_model"] == 3);
  CHECK(c["minimum_detectable_difference"].get<double>() > 0);
  // Curves: mean/min/max over the seeds at each step.
  const Json& curve = s["curves"]["listops"]["luna-16"];
  REQUIRE(curve.size() == 2);
  CHECK(curve[1]["mean"].get<double>() == Approx(61.0));
  CHECK(curve[1]["min"].get<double>() == Approx(60.0));
  CHECK(curve[1]["max"].get<double>() == Approx(62.0));

  const std::string table = lra::table1_markdown(runs, Json::object());
  CHECK_THAT(table, Contains("| luna-16 | 61.0 ± 2.5 (n=3) G |"));
  CHECK_THAT(table, Contains("not distinguishable at 95%"));
}

TEST_CASE("missing and failed seeds are shown as such and left out of the mean", "[seeds][report]") {
  std::vector<Json> runs;
  add_seeds(runs, "text", "transformer", {0.60, 0.62, 0.64});
  runs.push_back(seed_run("text", "luna-16", 1, 0.70));
  runs.push_back(seed_run("text", "luna-16", 2, 0.0, "diverged"));  // seed 3 never ran
  const Json s = lra::aggregate_seeds(runs, {"text"}, {"text"});
  const Json* luna = lra::find_cell(s, "text", "luna-16");
  REQUIRE(luna);
  CHECK((*luna)["n"] == 1);
  CHECK((*luna)["final"]["mean"].get<double>() == Approx(70.0));
  CHECK((*luna)["final"]["half_width"].is_null());
  REQUIRE((*luna)["not_completed"].size() == 2);
  CHECK((*luna)["not_completed"][0] == Json({{"seed", 2}, {"status", "diverged"}}));
  CHECK((*luna)["not_completed"][1] == Json({{"seed", 3}, {"status", "missing"}}));
  for (const auto& row : s["comparisons"]["text"]["rows"])
    if (row["model"] == "luna-16") CHECK(row["verdict"] == lra::kTooFewSeeds);
  const std::string table = lra::table1_markdown(runs, Json::object());
  CHECK_THAT(table, Contains("| 70.0 (n=1 of 3; seed 2 diverged; seed 3 missing) G |"));
}

TEST_CASE("the average column is taken per seed over the tasks, then over seeds", "[seeds][report]") {
  std::vector<Json> runs;
  add_seeds(runs, "listops", "luna-16", {0.30, 0.40});
  add_seeds(runs, "text", "luna-16", {0.70, 0.60});
  const Json s = lra::aggregate_seeds(runs, {"listops", "text"}, {"listops", "text"});
  REQUIRE(s["averages"].size() == 1);
  const Json& avg = s["averages"][0];
  CHECK(avg["tasks_counted"] == 2);
  CHECK(avg["final"]["values"] == Json::array({50.0, 50.0}));
  CHECK(avg["final"]["half_width"].get<double>() == Approx(0.0).margin(1e-9));
}

TEST_CASE("published deltas only on the task's own generator or the release at the paper profile", "[seeds][report]") {
  Json published = {{"table1", {{"luna-256", {{"source", "paper"}, {"listops", 37.98}, {"text", 65.78},
                                             {"retrieval", 79.56}, {"image", 47.86}, {"pathfinder", 78.55},
                                             {"avg", 61.95}}}}}};
  std::vector<Json> paper_runs{seed_run("listops", "luna-256", 1, 0.40, "completed", "paper"),
                               seed_run("listops", "luna-256", 2, 0.42, "completed", "paper")};
  CHECK_THAT(lra::table1_markdown(paper_runs, published), Contains("37.98 (ours +3.0)"));
  std::vector<Json> cpu_runs{seed_run("listops", "luna-256", 1, 0.40), seed_run("listops", "luna-256", 2, 0.42)};
  const std::string cpu_table = lra::table1_markdown(cpu_runs, published);
  CHECK_THAT(cpu_table, !Contains("(ours +") && !Contains("(ours -"));
  CHECK_THAT(cpu_table, Contains("ListOps: reduced profile 'cpu'"));
  std::vector<Json> substitute{seed_run("image", "luna-256", 1, 0.80, "completed", "paper", true)};
  const std::string sub_table = lra::table1_markdown(substitute, published);
  CHECK_THAT(sub_table, !Contains("(ours +") && !Contains("(ours -"));
  CHECK_THAT(sub_table, Contains("Image: substitute data"));
}

TEST_CASE("collect_run_reports keeps one report per seed, the later run id", "[seeds][report]") {
  const fs::path dir = lra::test::scratch("collect_seeds");
  Json a = seed_run("listops", "luna-16", 1, 0.3), b = seed_run("listops", "luna-16", 1, 0.4);
  a["run_id"] = "20260101-000000-1-aaaa";
  b["run_id"] = "20260102-000000-1-bbbb";
  fs::create_directories(dir / "x/seed-1");
  fs::create_directories(dir / "y/seed-1");
  fs::create_directories(dir / "x/seed-2");
  lra::write_text_atomically((dir / "x/seed-1/latest.json").string(), a.dump());
  lra::write_text_atomically((dir / "y/seed-1/latest.json").string(), b.dump());
  lra::write_text_atomically((dir / "x/seed-2/latest.json").string(), seed_run("listops", "luna-16", 2, 0.5).dump());
  const auto runs = lra::collect_run_reports(dir.string());
  REQUIRE(runs.size() == 2);
  CHECK(runs[0]["run_id"] == "20260102-000000-1-bbbb");
  CHECK(runs[1]["seed"] == 2);
  // The earlier one is not dropped silently: the scan names it and the run it lost to.
  const auto scan = lra::scan_run_reports(dir.string());
  REQUIRE(scan.superseded.size() == 1);
  CHECK_THAT(scan.superseded[0].path, Contains("x/seed-1/latest.json"));
  CHECK_THAT(scan.superseded[0].why, Contains("y/seed-1/latest.json"));
  CHECK(scan.unusable.empty());
}

TEST_CASE("the plan counts cells x seeds and estimates from a reference run of the same profile", "[seeds]") {
  lra::RunPlan plan{"cpu", {"listops", "text"}, {"luna-16"}, 3, "runs/cpu", "results/cpu"};
  Json timed = seed_run("listops", "luna-16", 1, 0.3);
  timed["timing"] = {{"wall_seconds", 40.0}};
  Json other_profile = seed_run("text", "luna-16", 1, 0.6, "completed", "paper");
  other_profile["timing"] = {{"wall_seconds", 1000.0}};
  const auto e = lra::estimate_plan(plan, {timed, other_profile});
  CHECK(e.runs == 6);
  CHECK(e.timed == 3);
  CHECK(e.seconds == Approx(120.0));
  const std::string text = lra::plan_text(plan, e);
  CHECK_THAT(text, Contains("2 tasks x 1 models x 3 seeds = 6 training runs"));
  CHECK_THAT(text, Contains("3 of 6 runs have a reference time"));
  // A reference made two runs at a time (1 of 2 hardware threads each) took half its runs' wall time.
  Json side_by_side = timed;
  side_by_side["environment"] = {{"threads", 1}, {"hardware_threads", 2}, {"cpu", "x"}, {"git_commit", "c"}};
  CHECK(lra::estimate_plan(plan, {side_by_side}).seconds == Approx(60.0));
  side_by_side["environment"]["threads"] = 2;
  CHECK(lra::estimate_plan(plan, {side_by_side}).seconds == Approx(120.0));
  CHECK(lra::profile_seeds("", "cpu") == 3);
  CHECK(lra::profile_seeds("", "smoke") == 1);
}

TEST_CASE("a report is reused only when this commit made it with the same config and data", "[seeds][train]") {
  const Json config = lra::resolve_config({"listops", "luna-16", "smoke", {}, ""});
  const std::string data = lra::test::smoke_listops_data();
  const Json inputs = lra::current_inputs(config, data);
  Json earlier = {{"config", config}, {"inputs", inputs}, {"data", {{"data_dir", data}}}};
  const std::string commit = lra::lra_git_commit();
  const bool dirty = lra::is_dirty_commit(commit);
  const auto same = lra::reuse_decision(earlier, config, inputs, data);
  if (dirty) {
    CHECK_FALSE(same.same_run);
    CHECK_THAT(same.reason, Contains("uncommitted changes"));
  } else {
    CHECK(same.same_run);
  }
  earlier["inputs"]["lra_commit"] = "0123456789ab";
  CHECK_FALSE(lra::reuse_decision(earlier, config, inputs, data).same_run);
  CHECK_THAT(lra::reuse_decision(earlier, config, inputs, data).reason, Contains("0123456789ab"));
  earlier["inputs"]["lra_commit"] = commit;
  // What the run read comes first, so it is named even on a build with uncommitted changes.
  const Json other = lra::resolve_config({"listops", "luna-16", "smoke", {"train.lr=0.002"}, ""});
  CHECK_THAT(lra::reuse_decision(earlier, other, inputs, data).reason,
             Contains("config key train.lr was") && Contains("now 0.002"));
  CHECK_THAT(lra::reuse_decision(earlier, config, inputs, "elsewhere").reason, Contains("elsewhere"));
  Json changed = inputs;
  changed["data"]["sha256"] = std::string(64, 'f');
  changed["data"]["parts"]["basic_test.tsv"] = std::string(64, 'f');
  CHECK_THAT(lra::reuse_decision(earlier, config, changed, data).reason,
             Contains("the data differs") && Contains("basic_test.tsv changed"));
  Json older = earlier;  // a report written before inputs were recorded is never reused
  older.erase("inputs");
  CHECK_THAT(lra::reuse_decision(older, config, inputs, data).reason, Contains("no data fingerprint is recorded"));
}

TEST_CASE("fresh clone: a completed report from another commit in --out is trained again, not reported",
          "[seeds][train]") {
  const fs::path out = lra::test::scratch("reuse");
  const Json config = lra::resolve_config({"listops", "luna-16", "smoke", {}, ""});
  lra::TrainOptions o;
  o.data_dir = lra::test::smoke_listops_data();
  o.out_dir = out.string();
  o.quiet = true;
  REQUIRE(lra::run_training(config, o) == 0);
  // As if committed by an earlier commit: a completed report that must not count as this user's run.
  Json committed = lra::test::read_json(out / "latest.json");
  const std::string committed_id = committed["run_id"];
  committed["environment"]["git_commit"] = "0123456789ab";
  committed["inputs"]["lra_commit"] = "0123456789ab";
  lra::write_text_atomically((out / "latest.json").string(), committed.dump(2));

  o.reuse = true;
  REQUIRE(lra::run_training(config, o) == 0);
  const Json rerun = lra::test::read_json(out / "latest.json");
  CHECK(rerun["run_id"] != committed_id);
  CHECK(rerun["status"] == "completed");
  CHECK(rerun["environment"]["git_commit"] == lra::lra_git_commit());
  CHECK(fs::exists(out / (committed_id + ".json")));  // the earlier report is kept beside it

  // Once more: reused only when this (clean) commit made it; a dirty build never reuses.
  REQUIRE(lra::run_training(config, o) == 0);
  const Json third = lra::test::read_json(out / "latest.json");
  const std::string commit = lra::lra_git_commit();
  const bool dirty = lra::is_dirty_commit(commit);
  if (dirty) CHECK(third["run_id"] != rerun["run_id"]);
  else CHECK(third["run_id"] == rerun["run_id"]);
}

TEST_CASE("plots: learning curves with a min-max band per task and error bars on the bubble chart", "[seeds][plot]") {
  std::vector<Json> runs;
  for (const char* task : {"listops", "text", "retrieval", "image", "pathfinder"}) {
    add_seeds(runs, task, "luna-16", {0.40, 0.44});
    add_seeds(runs, task, "transformer", {0.30, 0.30});
  }
  auto row = [](const std::string& model, double seconds) {
    return Json{{"model", model}, {"length", 1024}, {"status", "ok"}, {"step_time_median_s", seconds},
                {"steps_per_second", 1.0 / seconds}, {"peak_tensor_bytes", 1048576.0}};
  };
  const Json bench = {{"rows", Json::array({row("luna-16", 0.5), row("transformer", 1.0)})}, {"batch", 4}};
  const auto figures = lra::make_figures(bench, runs);
  REQUIRE(figures.size() == 4);
  CHECK(figures[2].name == "accuracy-speed-memory");
  // luna-16: per-seed averages 40 and 44 -> 42 ± t_{0.975,1} * sqrt(8) / sqrt(2) = 12.7062 * 2.
  CHECK_THAT(figures[2].data, Contains("\"luna-16\" 42 2 1 25.41"));
  CHECK_THAT(figures[2].script, Contains("yerrorbars"));
  const auto& curves = figures[3];
  CHECK(curves.name == "learning-curves");
  CHECK_THAT(curves.script, Contains("set multiplot layout 2,3"));
  CHECK_THAT(curves.script, Contains("filledcurves"));
  CHECK_THAT(curves.data, Contains("# listops luna-16: step mean min max\n10 37 35 39\n20 42 40 44\n"));
}

TEST_CASE("a task whose reference or model has no completed seed still renders, without a verdict or rank",
          "[seeds][report]") {
  std::vector<Json> runs{seed_run("image", "transformer", 1, 0.0, "interrupted"),
                         seed_run("image", "luna-16", 1, 0.5), seed_run("image", "luna-16", 2, 0.6),
                         seed_run("image", "linformer", 1, 0.0, "diverged")};
  Json bad = seed_run("image", "luna-128", 1, 0.7);
  bad["accuracy"]["best_val"] = nullptr;  // a malformed report counts as not completed, never crashes
  runs.push_back(bad);
  const Json s = lra::aggregate_seeds(runs, {"image"}, {"image"});
  CHECK(s["comparisons"]["image"]["rows"].empty());
  CHECK_FALSE(s["comparisons"]["image"]["ranks"].contains("linformer"));
  CHECK(s["comparisons"]["image"]["ranks"]["luna-16"] == 1);
  CHECK(lra::find_cell(s, "image", "luna-128")->at("not_completed")[0]["status"] == "completed");
  std::string table;
  REQUIRE_NOTHROW(table = lra::table1_markdown(runs, Json::object()));
  CHECK_THAT(table, Contains("| Image | luna-16 | 55.0 ± 63.5 | – | – | – | no completed reference seed | 1 |"));
  CHECK_THAT(table, Contains("| Image | linformer | – | – | – | – | no completed seed | – |"));
}

TEST_CASE("the learning check lists each cell at chance or below the margin with its validation curve", "[report][learning]") {
  std::vector<Json> runs;
  add_seeds(runs, "listops", "luna-16", {0.40, 0.42, 0.41});     // 41 ± 2.5: learns (majority 20)
  add_seeds(runs, "listops", "transformer", {0.19, 0.22, 0.21});  // 20.7, interval includes 20: at chance
  add_seeds(runs, "text", "luna-16", {0.25, 0.26, 0.27});         // 26 ± 2.5: above 20, but by < 10 points
  runs.push_back(seed_run("retrieval", "luna-16", 1, 0.5));       // one seed: no interval, not judged
  const Json summary = lra::report_summary(runs);
  const Json& check = summary["learning"];
  CHECK(check["cells_judged"] == 3);
  CHECK(check["cells_learning"] == 1);
  std::map<std::string, std::string> verdicts;
  for (const auto& cell : check["cells"])
    verdicts[cell["task"].get<std::string>() + "/" + cell["model"].get<std::string>()] = cell["verdict"].get<std::string>();
  CHECK(verdicts["listops/luna-16"] == lra::kLearns);
  CHECK(verdicts["listops/transformer"] == lra::kNotAboveMajority);
  CHECK(verdicts["text/luna-16"] == lra::kBelowMargin);
  CHECK(verdicts["retrieval/luna-16"] == lra::kOneSeed);

  const std::string section = lra::learning_check_markdown(check);
  CHECK_THAT(section, Contains("1 of 3 cells with at least 2 seeds learn."));
  // The mean val curve over the seeds: 5 points below each seed's final accuracy at step 10.
  CHECK_THAT(section, Contains("| ListOps | transformer | 20.7 (n=3) | 20.0 | +0.7 | " + std::string(lra::kNotAboveMajority) +
                               " | 10: 15.7 20: 20.7 |"));
  CHECK_THAT(section, Contains("| Text | luna-16 | 26.0 (n=3) | 20.0 | +6.0 | " + std::string(lra::kBelowMargin) + " |"));
  CHECK_THAT(section, Contains("| Retrieval | luna-16 | 50.0 (n=1) |"));
  CHECK_THAT(section, !Contains("| ListOps | luna-16 |"));
  CHECK_THAT(lra::report_markdown(runs, Json(), Json::object()), Contains("### Does every cell learn?"));
  CHECK_THAT(section, !Contains("needs at least 2 seeds"));
  const Json one_seed = lra::report_summary({seed_run("text", "luna-16", 1, 0.7)})["learning"];
  CHECK(one_seed["cells_judged"] == 0);
  CHECK_THAT(lra::learning_check_markdown(one_seed), Contains("A cell needs at least 2 seeds to be judged"));
}
