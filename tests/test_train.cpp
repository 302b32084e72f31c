// The runner end to end on generated ListOps (smoke profile): report fields, exact resume, the NaN
// path, SIGINT, and lra eval on the checkpoints.
#include "tests/catch_torch.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "lra/train/checkpoint.h"
#include "lra/config/config.h"
#include "lra/report/run_report.h"
#include "lra/train/trainer.h"
#include "tasks/registry.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using lra::Json;

using lra::test::read_json;
using lra::test::scratch;

namespace {
const std::string& listops_data() { return lra::test::smoke_listops_data(); }

Json smoke_config(std::vector<std::string> overrides = {}) {
  return lra::resolve_config({"listops", "luna-16", "smoke", std::move(overrides), ""});
}

lra::TrainOptions options(const fs::path& out, bool resume = false, int64_t stop_after = 0) {
  lra::TrainOptions o;
  o.data_dir = lra::test::smoke_listops_data();
  o.out_dir = out.string();
  o.resume = resume;
  o.quiet = true;
  o.stop_after = stop_after;
  return o;
}

void check_same_parameters(const std::string& a, const std::string& b) {
  auto x = lra::read_checkpoint(a).model, y = lra::read_checkpoint(b).model;
  REQUIRE(x.size() == y.size());
  for (const auto& entry : x) {
    INFO(entry.key());
    CHECK(torch::equal(entry.value(), y.at(entry.key())));
  }
}

}  // namespace

TEST_CASE("a smoke run writes a complete report, latest.json and both checkpoints", "[train]") {
  fs::path out = scratch("report");
  REQUIRE(lra::run_training(smoke_config(), options(out)) == 0);
  Json report = read_json(out / "latest.json");
  CHECK(report["status"] == "completed");
  CHECK(report["schema_version"] == 1);
  CHECK(read_json(out / (report["run_id"].get<std::string>() + ".json")) == report);
  for (const char* key : {"environment", "config", "data", "parameters", "timing", "memory", "curves", "accuracy",
                          "majority_baseline", "dropout_enabled", "dtype", "seed"})
    CHECK(report.contains(key));
  CHECK(report["parameters"].get<int64_t>() > 0);
  CHECK(report["timing"]["step_time_median_s"].get<double>() > 0);
  CHECK(report["timing"]["step_time_p90_s"].get<double>() >= report["timing"]["step_time_median_s"].get<double>());
  CHECK(report["timing"]["tokens_per_second"].get<double>() > 0);
  CHECK(report["memory"]["peak_tensor_bytes"].get<int64_t>() > 0);
  CHECK(report["memory"]["peak_rss_bytes"].get<int64_t>() > 0);
  CHECK(report["curves"]["val"].size() == 2);  // steps 12 and 24
  for (const char* which : {"final", "best_val"})
    for (const char* split : {"val", "test"}) {
      double acc = report["accuracy"][which][split];
      CHECK(acc >= 0.0);
      CHECK(acc <= 1.0);
    }
  CHECK(report["majority_baseline"]["test"].get<double>() > 0);
  CHECK(fs::exists(report["checkpoints"]["last"].get<std::string>()));
  CHECK(fs::exists(report["checkpoints"]["best"].get<std::string>()));
}

TEST_CASE("2N steps straight equal N steps, --resume, N steps (identical parameters)", "[train][resume]") {
  fs::path straight = scratch("straight"), pieces = scratch("pieces");
  Json config = smoke_config({"train.steps=16", "train.eval_every=5"});
  REQUIRE(lra::run_training(config, options(straight)) == 0);
  REQUIRE(lra::run_training(config, options(pieces, false, 7)) == 0);
  CHECK(read_json(pieces / "latest.json")["status"] == "interrupted");
  REQUIRE(lra::run_training(config, options(pieces, true)) == 0);
  Json a = read_json(straight / "latest.json"), b = read_json(pieces / "latest.json");
  CHECK(b["status"] == "completed");
  check_same_parameters(a["checkpoints"]["last"], b["checkpoints"]["last"]);
  CHECK(a["accuracy"] == b["accuracy"]);
  CHECK(a["curves"]["train"] == b["curves"]["train"]);
}

TEST_CASE("resuming with a different config is refused with the differing key", "[train][resume]") {
  fs::path out = scratch("mismatch");
  REQUIRE(lra::run_training(smoke_config(), options(out, false, 5)) == 0);
  CHECK_THROWS_WITH(lra::run_training(smoke_config({"train.lr=0.5"}), options(out, true)),
                    Catch::Matchers::Contains("train.lr"));
}

TEST_CASE("a diverging run stops with status diverged and keeps the last good checkpoint", "[train][nan]") {
  fs::path out = scratch("nan");
  Json config = smoke_config({"train.lr=1e30", "train.warmup_steps=0", "train.eval_every=1"});
  int rc = lra::run_training(config, options(out));
  CHECK(rc == lra::kExitDiverged);
  Json report = read_json(out / "latest.json");
  CHECK(report["status"] == "diverged");
  CHECK(report["error"].get<std::string>().find("loss is") != std::string::npos);
  CHECK(report["steps_done"].get<int64_t>() < 24);
  if (report["steps_done"].get<int64_t>() > 0) CHECK_NOTHROW(lra::read_checkpoint(report["checkpoints"]["last"]));
}

TEST_CASE("SIGINT finishes the step, writes a checkpoint and reports interrupted", "[train][signal]") {
  fs::path out = scratch("sigint");
  std::vector<std::string> args{"--threads", "1", "train", "--task", "listops", "--model", "luna-16", "--profile",
                                "smoke", "--data-dir", listops_data(), "--out", out.string(), "--quiet",
                                "--set", "train.steps=100000", "--set", "train.eval_every=100000"};
  pid_t pid = lra::test::spawn_lra(args);
  // Wait until the run is under way, then interrupt it.
  for (int i = 0; i < 600 && !fs::exists(out / "latest.json"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == lra::kExitInterrupted);
  Json report = read_json(out / "latest.json");
  CHECK(report["status"] == "interrupted");
  CHECK(report["steps_done"].get<int64_t>() > 0);
  auto checkpoint = lra::read_checkpoint(report["checkpoints"]["last"]);
  CHECK(checkpoint.meta["step"] == report["steps_done"]);
}

TEST_CASE("lra eval reproduces the report's test accuracy from the best checkpoint", "[train][eval]") {
  fs::path out = scratch("eval");
  REQUIRE(lra::run_training(smoke_config(), options(out)) == 0);
  Json report = read_json(out / "latest.json");
  fs::path predictions = out / "predictions.tsv";
  CHECK(lra::test::run_lra({"eval", "--checkpoint", report["checkpoints"]["best"], "--data-dir", listops_data(), "--predictions",
                 predictions.string()}) == 0);
  std::string text = lra::read_text_file(predictions.string());
  CHECK(text.rfind("id\tlabel\tpredicted\tlogits\n", 0) == 0);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1 + report["data_sizes"]["test"].get<int64_t>());
  // accuracy recomputed from the predictions file equals the report's best-val test accuracy
  std::istringstream rows(text);
  std::string line;
  std::getline(rows, line);
  int64_t correct = 0, total = 0;
  while (std::getline(rows, line)) {
    std::istringstream fields(line);
    std::string id, label, predicted;
    std::getline(fields, id, '\t');
    std::getline(fields, label, '\t');
    std::getline(fields, predicted, '\t');
    correct += label == predicted;
    ++total;
  }
  CHECK(static_cast<double>(correct) / static_cast<double>(total) ==
        Approx(report["accuracy"]["best_val"]["test"].get<double>()));
  CHECK(lra::test::run_lra({"eval", "--checkpoint", (out / "nope.ckpt").string(), "--data-dir", listops_data()}) == 2);
}

TEST_CASE("a kill between last.ckpt and best.ckpt is repaired on resume and the run stays exact",
          "[train][resume]") {
  // The runner writes last.ckpt (recording best_step = this step) and then best.ckpt. Deleting
  // best.ckpt after a stop at an evaluation step leaves what a SIGKILL between the two writes leaves.
  fs::path straight = scratch("window_straight"), pieces = scratch("window_pieces");
  Json config = smoke_config({"train.steps=16", "train.eval_every=5"});
  REQUIRE(lra::run_training(config, options(straight)) == 0);
  REQUIRE(lra::run_training(config, options(pieces, false, 5)) == 0);
  Json stopped = read_json(pieces / "latest.json");
  const std::string best = stopped["checkpoints"]["best"], last = stopped["checkpoints"]["last"];
  REQUIRE(lra::read_checkpoint(last).meta["best_step"] == 5);
  REQUIRE(fs::remove(best));
  REQUIRE(lra::run_training(config, options(pieces, true)) == 0);
  Json a = read_json(straight / "latest.json"), b = read_json(pieces / "latest.json");
  CHECK(a["accuracy"] == b["accuracy"]);
  check_same_parameters(a["checkpoints"]["best"], b["checkpoints"]["best"]);
  check_same_parameters(a["checkpoints"]["last"], b["checkpoints"]["last"]);
  CHECK(lra::read_checkpoint(b["checkpoints"]["best"]).meta["step"] ==
        lra::read_checkpoint(b["checkpoints"]["last"]).meta["best_step"]);
}

TEST_CASE("resume refuses a best.ckpt that does not hold last.ckpt's best step", "[train][resume]") {
  fs::path out = scratch("best_mismatch");
  Json config = smoke_config({"train.steps=16", "train.eval_every=5"});
  REQUIRE(lra::run_training(config, options(out, false, 7)) == 0);  // best_step 5, last.ckpt at step 7
  Json stopped = read_json(out / "latest.json");
  const std::string best = stopped["checkpoints"]["best"];
  auto checkpoint = lra::read_checkpoint(best);
  lra::save_state_checkpoint(best, checkpoint.config, {{"step", 3}}, checkpoint.model);
  CHECK_THROWS_WITH(lra::run_training(config, options(out, true)),
                    Catch::Matchers::Contains("best.ckpt holds step 3") &&
                        Catch::Matchers::Contains("records the best step as 5"));
}

TEST_CASE("resuming a run killed before its first checkpoint starts that run again", "[train][resume]") {
  fs::path out = scratch("no_checkpoint");
  Json config = smoke_config({"train.steps=6", "train.eval_every=3"});
  // What a run killed right after its first report leaves: the report and latest.json, no checkpoint.
  const std::string run_id = lra::new_run_id();
  lra::RunPaths paths = lra::run_paths(out.string(), run_id);
  const Json first_report = {{"schema_version", lra::kReportSchemaVersion}, {"run_id", run_id}, {"task", "listops"},
                             {"model", "luna-16"}, {"status", "running"}, {"steps_done", 0}};
  lra::write_run_report(paths, first_report);
  REQUIRE(lra::run_training(config, options(out, true)) == 0);
  Json report = read_json(out / "latest.json");
  CHECK(report["run_id"] == run_id);
  CHECK(report["status"] == "completed");
  // A report that counts steps without a checkpoint means the checkpoint was removed: refused.
  fs::path other = scratch("lost_checkpoint");
  lra::RunPaths lost = lra::run_paths(other.string(), run_id);
  Json counted = first_report;
  counted["steps_done"] = 4;
  lra::write_run_report(lost, counted);
  CHECK_THROWS_WITH(lra::run_training(config, options(other, true)), Catch::Matchers::Contains("has no checkpoint"));
}

TEST_CASE("two runs started at once into the same --out both complete and latest.json is one of them",
          "[train][concurrent]") {
  fs::path out = scratch("concurrent");
  std::vector<std::string> args{"--threads", "1", "train", "--task", "listops", "--model", "luna-16", "--profile",
                                "smoke", "--data-dir", listops_data(), "--out", out.string(), "--quiet",
                                "--set", "train.eval_every=4"};
  const pid_t first = lra::test::spawn_lra(args), second = lra::test::spawn_lra(args);
  for (pid_t pid : {first, second}) CHECK(lra::test::wait_for(pid) == 0);
  std::vector<Json> reports;
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    CHECK(name.find(".tmp.") == std::string::npos);
    if (entry.path().extension() == ".json" && name != "latest.json") reports.push_back(read_json(entry.path()));
  }
  REQUIRE(reports.size() == 2);
  CHECK(reports[0]["run_id"] != reports[1]["run_id"]);
  for (const Json& report : reports) {
    INFO(report["run_id"]);
    CHECK(report["status"] == "completed");
    CHECK(report["accuracy"]["final"].contains("test"));
    CHECK_NOTHROW(lra::read_checkpoint(report["checkpoints"]["last"]));
    CHECK_NOTHROW(lra::read_checkpoint(report["checkpoints"]["best"]));
  }
  Json latest = read_json(out / "latest.json");
  CHECK((latest == reports[0] || latest == reports[1]));
  // Same config, same seed, one thread each: the two runs trained the same parameters.
  check_same_parameters(reports[0]["checkpoints"]["last"], reports[1]["checkpoints"]["last"]);
}
