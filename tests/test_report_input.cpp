// What `lra report`, `lra plot`, `lra plan` and `--reuse` do with a results folder that is not what they
// expect: every run report they cannot use is named with its path and why, a report written from partial
// input says so on its first line and exits 3, and a folder that does not exist or holds nothing is an
// error (exit 2) that writes nothing.
#include "tests/catch_torch.h"

#include <filesystem>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/report/report.h"
#include "lra/report/run_report.h"
#include "lra/train/trainer.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using lra::Json;

namespace {

Json completed_run(const std::string& task, const std::string& model, int seed, double test) {
  return {{"schema_version", lra::kReportSchemaVersion},
          {"run_id", "20260101-000000-1-000" + std::to_string(seed)},
          {"task", task}, {"model", model}, {"seed", seed}, {"status", "completed"}, {"profile", "smoke"},
          {"data", {{"source", "generated"}, {"substitute", false}}},
          {"majority_baseline", {{"test", 0.2}}},
          {"accuracy", {{"final", {{"test", test}}}, {"best_val", {{"test", test}}}}}};
}

void write_run(const fs::path& dir, const Json& report) {
  lra::write_text_atomically((dir / "latest.json").string(), report.dump(2));
}

// A results folder: listops / luna-16 at seeds 1-3, each in its own run folder; seed 2's report is
// cut short at half its length, as an interrupted copy leaves it.
fs::path folder_with_truncated_report(const std::string& name) {
  const fs::path root = lra::test::scratch(name);
  for (int seed = 1; seed <= 3; ++seed) {
    const fs::path run = root / "listops" / "luna-16" / ("seed-" + std::to_string(seed));
    fs::create_directories(run);
    write_run(run, completed_run("listops", "luna-16", seed, 0.3 + 0.01 * seed));
  }
  const fs::path cut = root / "listops" / "luna-16" / "seed-2" / "latest.json";
  const std::string text = lra::read_text_file(cut.string());
  lra::write_text_atomically(cut.string(), text.substr(0, text.size() / 2));
  return root;
}

}  // namespace

TEST_CASE("each kind of unusable run report gets its own reason", "[report][input]") {
  const fs::path dir = lra::test::scratch("unusable_kinds");
  auto problem_of = [&](const std::string& text) {
    lra::write_text_atomically((dir / "latest.json").string(), text);
    return lra::read_run_report((dir / "latest.json").string()).problem;
  };
  const std::string whole = completed_run("text", "luna-16", 1, 0.6).dump();
  CHECK(problem_of(whole).empty());
  CHECK_THAT(problem_of(""), StartsWith("empty"));
  CHECK_THAT(problem_of(whole.substr(0, whole.size() - 7)), StartsWith("truncated"));
  CHECK_THAT(problem_of("{\"run_id\": ]"), StartsWith("not JSON (parse error at byte"));
  Json other_version = completed_run("text", "luna-16", 1, 0.6);
  other_version["schema_version"] = 2;
  CHECK_THAT(problem_of(other_version.dump()), Contains("schema version 2; this lra reads version 1"));
  CHECK_THAT(problem_of(Json{{"schema_version", 1}, {"kind", "lra-bench"}, {"rows", Json::array()}}.dump()),
             Contains("kind 'lra-bench'"));
  CHECK_THAT(problem_of("[1, 2, 3]"), Contains("a JSON array"));
  Json no_task = completed_run("text", "luna-16", 1, 0.6);
  no_task.erase("task");
  CHECK_THAT(problem_of(no_task.dump()), Contains("'task'"));
  Json path_id = completed_run("text", "luna-16", 1, 0.6);
  path_id["run_id"] = "../../etc";
  CHECK_THAT(problem_of(path_id.dump()), Contains("run_id names a path"));
}

TEST_CASE("lra report on a folder with a truncated run report: written, says PARTIAL first, exit 3",
          "[report][input]") {
  const fs::path root = folder_with_truncated_report("report_partial");
  const auto run = lra::test::capture_lra({"report", root.string()}, lra::test::scratch("report_partial_io"));
  CHECK(run.code == lra::kExitPartialInput);
  const std::string cut = (root / "listops" / "luna-16" / "seed-2" / "latest.json").string();
  CHECK_THAT(run.err, Contains("left out " + cut + ": truncated"));
  REQUIRE(fs::exists(root / "report.md"));
  const std::string report = lra::read_text_file((root / "report.md").string());
  CHECK_THAT(report.substr(0, report.find('\n')),
             Contains("PARTIAL: 1 run report could not be read and is left out"));
  // The unreadable seed is in the table's note, and the file and its reason under "Missing runs".
  CHECK_THAT(report, Contains("(n=2 of 3; seed 2 unreadable)"));
  const std::string missing = report.substr(report.find("## Missing runs"));
  CHECK_THAT(missing, Contains("- `" + cut + "`: truncated"));
  CHECK_THAT(missing, Contains("ListOps / luna-16 / seed 2: unreadable"));
  const Json summary = lra::test::read_json(root / "summary.json");
  CHECK(summary["partial_input"] == true);
  REQUIRE(summary["unreadable_reports"].size() == 1);
  CHECK(summary["unreadable_reports"][0]["path"] == cut);

  // The plot of the same folder is written too, and also exits 3 naming the file.
  const auto plot = lra::test::capture_lra({"plot", root.string()}, lra::test::scratch("plot_partial_io"));
  CHECK(plot.code == lra::kExitPartialInput);
  CHECK_THAT(plot.err, Contains("left out " + cut + ": truncated"));

  // The plan's estimate names it as well (and still plans: a broken reference must not stop a run).
  const auto plan = lra::test::capture_lra({"plan", "--profile", "smoke", "--tasks", "listops", "--models", "luna-16",
                                            "--out", (root / "new").string(), "--reference", root.string()},
                                           lra::test::scratch("plan_partial_io"));
  CHECK(plan.code == 0);
  CHECK_THAT(plan.err, Contains("the estimate leaves out " + cut + ": truncated"));
}

TEST_CASE("lra report on a complete folder says so and exits 0", "[report][input]") {
  const fs::path root = folder_with_truncated_report("report_complete");
  write_run(root / "listops" / "luna-16" / "seed-2", completed_run("listops", "luna-16", 2, 0.32));
  const auto run = lra::test::capture_lra({"report", root.string()}, lra::test::scratch("report_complete_io"));
  CHECK(run.code == 0);
  const std::string report = lra::read_text_file((root / "report.md").string());
  CHECK_THAT(report, StartsWith("# LRA report\n"));
  CHECK_THAT(report, Contains("## Missing runs\n\nNone: every run report found was read"));
  CHECK(lra::test::read_json(root / "summary.json")["partial_input"] == false);
}

TEST_CASE("lra report and plot on a folder that does not exist or holds no run report: exit 2, nothing written",
          "[report][input]") {
  const fs::path io = lra::test::scratch("report_absent_io");
  const fs::path absent = io / "no-such-folder";
  for (const char* command : {"report", "plot"}) {
    INFO(command);
    const auto run = lra::test::capture_lra({command, absent.string()}, io);
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains(absent.string() + ": no such folder"));
    CHECK_FALSE(fs::exists(absent));
  }
  const fs::path empty = lra::test::scratch("report_empty");
  fs::create_directories(empty / "listops" / "luna-16" / "seed-1");  // a run folder that never wrote a report
  for (const char* command : {"report", "plot"}) {
    INFO(command);
    const auto run = lra::test::capture_lra({command, empty.string()}, io);
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("holds no readable run report"));
  }
  CHECK_FALSE(fs::exists(empty / "report.md"));
  CHECK_FALSE(fs::exists(empty / "figures"));
  // Only unreadable reports: still nothing to report, and the error names the file.
  lra::write_text_atomically((empty / "listops" / "luna-16" / "seed-1" / "latest.json").string(), "{\"run_id\"");
  const auto run = lra::test::capture_lra({"report", empty.string()}, io);
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Contains("seed-1/latest.json: truncated"));
  CHECK_FALSE(fs::exists(empty / "report.md"));
}

TEST_CASE("train --reuse over a truncated latest.json names it and why, then starts a new run", "[report][input][train]") {
  const fs::path out = lra::test::scratch("reuse_truncated");
  lra::write_text_atomically((out / "latest.json").string(), "{\"schema_version\": 1, \"run_id\": \"2026");
  const auto run = lra::test::capture_lra({"--threads", "1", "train", "--task", "listops", "--model", "luna-16",
                                           "--profile", "smoke", "--data-dir", lra::test::smoke_listops_data(),
                                           "--out", out.string(), "--reuse", "--set", "train.steps=2",
                                           "--set", "train.warmup_steps=0", "--set", "train.eval_every=2"},
                                          lra::test::scratch("reuse_truncated_io"));
  CHECK(run.code == 0);
  CHECK_THAT(run.err, Contains((out / "latest.json").string() + " cannot be used to reuse or resume a run: truncated"));
  CHECK(lra::test::read_json(out / "latest.json")["status"] == "completed");
  // --resume cannot start from it: an error naming the file and the fix, not a silent new run.
  lra::write_text_atomically((out / "latest.json").string(), "{\"schema_version\": 1, \"run_id\": \"2026");
  CHECK_THROWS_WITH(lra::latest_run_id(out.string()), Contains("latest.json: truncated") && Contains("hint:"));
}

TEST_CASE("a number too large for a double is named in a run report and refused in bench.json (fuzz findings)",
          "[report][input]") {
  const auto dir = lra::test::scratch("report_number_overflow");
  lra::write_text_atomically((dir / "latest.json").string(), R"({"schema_version": 1e8410339356})");
  const auto file = lra::read_run_report((dir / "latest.json").string());
  CHECK(file.problem.find("not usable JSON") != std::string::npos);
  lra::write_text_atomically((dir / "bench.json").string(), R"({"rows": [1e99999]})");
  CHECK_THROWS_WITH(lra::load_json_file((dir / "bench.json").string()), Contains("bench.json: bad JSON"));
}

TEST_CASE("the nearest valid key in an error is escaped like the key itself (fuzz finding)", "[report][input]") {
  lra::LayeredConfig config(Json::parse("{\"model\": {\"dr\\u007fpout\": 0.1}}"), "defaults.json");
  std::string message;
  try {
    config.apply(Json::parse(R"({"model": {"dropout": 0.2}})"), "task.json");
  } catch (const lra::UserError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Contains("unknown key 'model.dropout'") && Contains("dr\\x7Fpout"));
  CHECK(message.find('\x7f') == std::string::npos);
}
