// Sweeps: the manifest (plan, format, errors, shards), the report's account of a sweep's unfinished runs,
// and `lra sweep` running lines (--index, reuse, the run-folder lock, bad options). The Slurm side is
// tests/slurm/sweep_test.sh.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "tests/catch_torch.h"

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/report/report.h"
#include "lra/report/run_report.h"
#include "lra/report/sweep_manifest.h"
#include "lra/runtime/environment.h"
#include "lra/sweep/sweep_plan.h"
#include "models/registry.h"
#include "tasks/registry.h"
#include "tests/run_support.h"
#include "tests/scratch.h"

namespace {

using lra::SweepRun;

lra::SweepRequest smoke_request(bool spt) {
  lra::SweepRequest request;
  request.plan.profile = "smoke";
  request.plan.tasks = {"listops", "text"};
  request.plan.models = {"luna-16", "transformer"};
  request.plan.seeds = 2;
  request.plan.spt = spt;
  request.data_dir = "/data/smoke";
  return request;
}

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  lra::write_text_atomically(path.string(), text);
  return path.string();
}

std::string line_of(const SweepRun& r) {
  return lra::manifest_text({r}).substr(std::string(lra::kManifestHeader).size() + 1);
}

}  // namespace

TEST_CASE("a sweep's plan lists every run seed by seed, each with its own folder and config hash", "[sweep]") {
  const auto runs = lra::plan_sweep(smoke_request(false));
  REQUIRE(runs.size() == 8);
  CHECK(runs[0].run_folder == "listops/luna-16/seed-1");
  CHECK(runs[1].run_folder == "listops/transformer/seed-1");
  CHECK(runs[3].run_folder == "text/transformer/seed-1");
  CHECK(runs[4].run_folder == "listops/luna-16/seed-2");  // all of seed 1 before seed 2
  std::set<std::string> hashes;
  for (size_t i = 0; i < runs.size(); ++i) {
    CHECK(runs[i].index == static_cast<int>(i));
    CHECK(runs[i].protocol == "scratch");
    CHECK(runs[i].config_sha256.size() == 64);
    hashes.insert(runs[i].config_sha256);
  }
  CHECK(hashes.size() == 8);  // the seed is part of the config
  CHECK(lra::plan_sweep(smoke_request(false))[5].config_sha256 == runs[5].config_sha256);  // deterministic

  const auto spt = lra::plan_sweep(smoke_request(true));
  REQUIRE(spt.size() == 16);
  CHECK(spt[1].protocol == "spt");
  CHECK(spt[1].run_folder == "listops/luna-16/spt-seed-1");
  CHECK(lra::pretrain_folder_for(spt[1]) == "listops/luna-16/pretrain-seed-1");
  CHECK(spt[1].config_sha256 != spt[0].config_sha256);  // the pretrain.* keys count for SPT only

  lra::SweepRequest extra = smoke_request(false);
  extra.extra_cells = {{"pathx", "luna-16", 1}, {"listops", "luna-16", 2}};  // the second is in the table already
  const auto with_extra = lra::plan_sweep(extra);
  REQUIRE(with_extra.size() == 9);
  CHECK(with_extra[8].run_folder == "pathx/luna-16/seed-1");
}

TEST_CASE("a manifest round-trips, and a script model gets one folder", "[sweep]") {
  auto runs = lra::plan_sweep(smoke_request(true));
  runs[2].model = "script:/home/me/mixers/gated.pt";
  runs[2].run_folder = lra::run_folder_for("listops", runs[2].model, 1, "scratch");
  CHECK(runs[2].run_folder == "listops/script__home_me_mixers_gated.pt/seed-1");
  const auto folder = lra::test::scratch("sweep_roundtrip");
  const auto path = folder / "sweep" / "manifest.tsv";
  lra::write_manifest(path.string(), runs);
  CHECK(lra::sweep_folder_of(path.string()) == folder.string());
  const auto back = lra::read_manifest(path.string());
  REQUIRE(back.size() == runs.size());
  CHECK(lra::manifest_text(back) == lra::manifest_text(runs));
}

TEST_CASE("a manifest that is not one is refused with its file and line", "[sweep]") {
  const auto dir = lra::test::scratch("sweep_bad_manifests");
  const auto runs = lra::plan_sweep(smoke_request(false));
  const std::string header = std::string(lra::kManifestHeader) + "\n";
  auto refused = [&](const std::string& name, const std::string& text, const std::string& says) {
    const std::string path = write(dir / name, text);
    INFO(name);
    try {
      lra::read_manifest(path);
      FAIL("accepted");
    } catch (const lra::UserError& e) {
      const std::string message = e.what();
      CHECK_THAT(message, Catch::Contains(path));
      CHECK_THAT(message, Catch::Contains(says));
    }
  };
  SweepRun r = runs[0];
  refused("empty.tsv", "", "empty");
  refused("header.tsv", "task\tmodel\n" + line_of(r), ":1: not a sweep manifest");
  refused("fields.tsv", header + "0\tlistops\tluna-16\n", ":2: 3 tab-separated fields, expected 10");
  SweepRun later = r;
  later.index = 3;
  refused("index.tsv", header + line_of(later), ":2: index '3', expected 0");
  SweepRun bad = r;
  bad.protocol = "finetune";
  refused("protocol.tsv", header + line_of(bad), "protocol 'finetune'");
  bad = r;
  bad.run_folder = "/abs/seed-1";
  refused("absolute.tsv", header + line_of(bad), "not a relative path inside the sweep folder");
  bad.run_folder = "listops/../../x";
  refused("dotdot.tsv", header + line_of(bad), "not a relative path inside the sweep folder");
  bad = r;
  bad.config_sha256 = "abc";
  refused("sha.tsv", header + line_of(bad), "not 64 hex digits");
  bad = r;
  bad.model = "luna\xC9-16";
  refused("utf8.tsv", header + line_of(bad), "field 3 ('luna\\xC9-16') holds a control byte or bytes that are not UTF-8");
  SweepRun twin = r;
  twin.index = 1;
  refused("twice.tsv", header + line_of(r) + line_of(twin), ":3: run folder listops/luna-16/seed-1 is written by an earlier line");
  CHECK_THROWS_WITH(lra::read_manifest((dir / "none.tsv").string()), Catch::Contains("no such file"));

  std::vector<SweepRun> same_folder{runs[0], runs[1]};
  same_folder[1].run_folder = same_folder[0].run_folder;
  CHECK_THROWS_WITH(lra::write_manifest((dir / "w.tsv").string(), same_folder), Catch::Contains("two runs write"));
  CHECK_FALSE(std::filesystem::exists(dir / "w.tsv"));
}

TEST_CASE("shards split a manifest into disjoint slices that cover it", "[sweep]") {
  const auto runs = lra::plan_sweep(smoke_request(false));
  std::multiset<int> seen;
  for (int shard = 1; shard <= 3; ++shard)
    for (const auto& r : lra::manifest_shard(runs, shard, 3)) seen.insert(r.index);
  CHECK(seen == std::multiset<int>{0, 1, 2, 3, 4, 5, 6, 7});
  const auto second = lra::manifest_shard(runs, 2, 3);
  REQUIRE(second.size() == 3);
  CHECK(second[0].index == 1);
  CHECK(second[1].index == 4);
  CHECK(lra::parse_shard("2/4") == std::pair<int, int>{2, 4});
  for (const char* bad : {"0/4", "5/4", "a/b", "3", "1/0", "-1/2"})
    CHECK_THROWS_AS(lra::parse_shard(bad), lra::UserError);
}

TEST_CASE("a report over a sweep names every run of its manifest that did not finish", "[sweep][report]") {
  const auto dir = lra::test::scratch("sweep_gaps");
  auto runs = lra::plan_sweep(smoke_request(false));
  runs.resize(3);
  lra::write_manifest(lra::manifest_path(dir.string()), runs);
  auto report_with = [&](const SweepRun& r, const std::string& status) {
    return lra::Json{{"schema_version", lra::kReportSchemaVersion},
                     {"run_id", "20260101-000000-1-000" + std::to_string(r.index)},
                     {"task", r.task}, {"model", r.model}, {"seed", r.seed}, {"status", status}, {"profile", "smoke"},
                     {"environment", {{"git_commit", "abc"}, {"cpu", "x"}, {"threads", 1}, {"hostname", "h"}}},
                     {"data", {{"source", "generated"}, {"substitute", false}}},
                     {"timing", {{"wall_seconds", 1.0}}},
                     {"majority_baseline", {{"test", 0.2}}},
                     {"curves", {{"val", lra::Json::array({{{"step", 10}, {"accuracy", 0.3}}})}}},
                     {"accuracy", {{"final", {{"test", 0.3}}}, {"best_val", {{"test", 0.3}}}}}};
  };
  write(dir / runs[0].run_folder / "latest.json", report_with(runs[0], "completed").dump());
  write(dir / runs[1].run_folder / "latest.json", report_with(runs[1], "interrupted").dump());
  // runs[2] never started.
  const auto scan = lra::scan_run_reports(dir.string());
  CHECK(scan.sweep_runs == 3);
  REQUIRE(scan.sweep_gaps.size() == 2);
  CHECK(scan.sweep_gaps[0].run.index == 1);
  CHECK(scan.sweep_gaps[0].status == "interrupted");
  CHECK(scan.sweep_gaps[1].status == "missing");
  const std::string markdown = lra::folder_report_markdown(scan, nullptr, lra::load_published(lra::default_config_dir()));
  CHECK_THAT(markdown, Catch::StartsWith("# LRA report (PARTIAL: 2 of 3 runs of the sweep did not finish"));
  CHECK_THAT(markdown, Catch::Contains("- line 1, ListOps / transformer / seed 1: interrupted (`listops/transformer/seed-1`)"));
  CHECK_THAT(markdown, Catch::Contains("- line 2, Text / luna-16 / seed 1: missing (`text/luna-16/seed-1`)"));
  const auto summary = lra::folder_report_summary(scan);
  CHECK(summary["partial_input"] == true);
  CHECK(summary["sweep"]["not_finished"].size() == 2);

  write(dir / "sweep" / "manifest.tsv", "garbage\n");
  const auto broken = lra::scan_run_reports(dir.string());
  REQUIRE(broken.unusable.size() == 1);
  CHECK_THAT(broken.unusable[0].why, Catch::Contains("the sweep's manifest cannot be read"));
}

TEST_CASE("lra sweep runs a manifest line, reuses it the second time, and leaves a locked one alone", "[sweep][cli]") {
  const auto dir = lra::test::scratch("sweep_cli");
  lra::SweepRequest request = smoke_request(false);
  request.plan.tasks = {"listops"};
  request.plan.models = {"luna-16"};
  request.plan.seeds = 1;
  request.data_dir = lra::test::smoke_listops_data();
  const std::string manifest = lra::manifest_path(dir.string());
  lra::write_manifest(manifest, lra::plan_sweep(request));

  auto first = lra::test::capture_lra({"--threads", "1", "sweep", manifest, "--index", "0"}, lra::test::scratch("sweep_cli_1"));
  INFO(first.err);
  REQUIRE(first.code == 0);
  CHECK_THAT(first.out, Catch::StartsWith("done    listops / luna-16 / seed 1 in "));
  const auto report = lra::test::read_json(dir / "listops" / "luna-16" / "seed-1" / "latest.json");
  CHECK(report["status"] == "completed");
  CHECK(std::filesystem::exists(dir / "logs" / "train-listops-luna-16-seed1.log"));

  // The run folder's lock held by another process: the line is reported busy, not run beside it.
  const auto lock_path = dir / "listops" / "luna-16" / "seed-1" / ".sweep.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  const pid_t holder = ::fork();
  if (holder == 0) {  // keeps the lock (inherited descriptor) until killed
    ::pause();
    _exit(0);
  }
  ::close(fd);
  auto busy = lra::test::capture_lra({"sweep", manifest}, lra::test::scratch("sweep_cli_busy"));
  ::kill(holder, SIGKILL);
  lra::test::wait_for(holder);
  CHECK(busy.code == 1);
  CHECK_THAT(busy.out, Catch::StartsWith("BUSY    listops / luna-16 / seed 1: another process runs this line"));

  auto again = lra::test::capture_lra({"--threads", "1", "sweep", manifest, "--shard", "1/1"}, lra::test::scratch("sweep_cli_2"));
  CHECK(again.code == 0);
  CHECK_THAT(again.out, Catch::Contains("(reused: same commit, config, data and model)") || Catch::Contains("in 0m"));

  auto out_of_range = lra::test::capture_lra({"sweep", manifest, "--index", "1"}, lra::test::scratch("sweep_cli_3"));
  CHECK(out_of_range.code == lra::kExitUserError);
  CHECK_THAT(out_of_range.err, Catch::Contains("--index 1: " + manifest + " has lines 0..0"));
  auto bad_shard = lra::test::capture_lra({"sweep", manifest, "--shard", "2/1"}, lra::test::scratch("sweep_cli_4"));
  CHECK(bad_shard.code == lra::kExitUserError);
  CHECK_THAT(bad_shard.err, Catch::Contains("expected i/N with 1 <= i <= N"));
  auto no_data = lra::test::capture_lra({"plan", "--tasks", "listops", "--models", "luna-16", "--out", dir.string(),
                                         "--manifest", (dir / "m.tsv").string()}, lra::test::scratch("sweep_cli_5"));
  CHECK(no_data.code == lra::kExitUserError);
  CHECK_THAT(no_data.err, Catch::Contains("--manifest needs --data-dir"));
}

TEST_CASE("lra sweep --jobs runs lines side by side, each child with its share of the CPUs", "[sweep][cli]") {
  const auto dir = lra::test::scratch("sweep_jobs");
  lra::SweepRequest request = smoke_request(false);
  request.plan.tasks = {"listops"};
  request.plan.models = {"luna-16", "transformer"};
  request.plan.seeds = 2;
  request.data_dir = lra::test::smoke_listops_data();
  const std::string manifest = lra::manifest_path(dir.string());
  const auto runs = lra::plan_sweep(request);
  REQUIRE(runs.size() == 4);
  lra::write_manifest(manifest, runs);

  auto result = lra::test::capture_lra({"sweep", manifest, "--jobs", "2"}, lra::test::scratch("sweep_jobs_1"));
  INFO(result.out << result.err);
  REQUIRE(result.code == 0);
  std::set<std::string> done;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("done    ", 0) == 0) done.insert(line.substr(8, line.find(" in ") - 8));
  CHECK(done == std::set<std::string>{"listops / luna-16 / seed 1", "listops / luna-16 / seed 2",
                                      "listops / transformer / seed 1", "listops / transformer / seed 2"});
  for (const auto& run : runs) {
    const auto report = lra::test::read_json(dir / run.run_folder / "latest.json");
    CHECK(report["status"] == "completed");
    CHECK(report["environment"]["threads"] == std::max(1, lra::available_cpus() / 2));
  }
  auto bad = lra::test::capture_lra({"sweep", manifest, "--jobs", "0"}, lra::test::scratch("sweep_jobs_2"));
  CHECK(bad.code != 0);
  CHECK_THAT(bad.err, Catch::Contains("--jobs"));
}

TEST_CASE("the default table lives in the registries: lra plan, run_all.sh and lra bench read it from there",
          "[sweep][cli][registry]") {
  // The models that declare default_table, and the tasks that are LRA columns, in registry order.
  std::vector<std::string> models, tasks;
  for (const auto& entry : lra::model_registry())
    if (entry.default_table) models.push_back(entry.name);
  for (const auto& entry : lra::task_registry())
    if (entry.lra_column) tasks.push_back(entry.name);
  REQUIRE_FALSE(models.empty());
  CHECK(tasks.size() == 5);
  CHECK(lra::default_table_models() == models);
  CHECK(lra::default_table_tasks() == tasks);
  auto joined = [](const std::vector<std::string>& names) {
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ",") + name;
    return list;
  };
  const auto printed = lra::test::capture_lra({"plan", "--default-table"}, lra::test::scratch("default_table"));
  REQUIRE(printed.code == 0);
  CHECK(printed.out == joined(tasks) + " " + joined(models) + "\n");

  // lra plan without --tasks/--models plans that table.
  const auto dir = lra::test::scratch("default_table_plan");
  const auto manifest = (dir / "sweep" / "manifest.tsv").string();
  const auto plan = lra::test::capture_lra({"plan", "--profile", "smoke", "--seeds", "1", "--out", dir.string(),
                                           "--manifest", manifest, "--data-dir", dir.string(), "--no-extra"},
                                          lra::test::scratch("default_table"));
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  CHECK(lra::read_manifest(manifest).size() == tasks.size() * models.size());

  // Neither run_all.sh nor lra bench spells a model of the table out as a default.
  const std::string run_all = lra::read_text_file(std::string(LRA_SOURCE_DIR) + "/run_all.sh");
  const std::string bench = lra::read_text_file(std::string(LRA_SOURCE_DIR) + "/lra/cli/cmd_bench.cpp");
  for (const auto& model : models) {
    CHECK(run_all.find("=" + model + ",") == std::string::npos);
    CHECK(bench.find("\"" + model + ",") == std::string::npos);
  }
}
