// A run that fails after it started ends its report "failed" with the error; a report whose process
// is gone never reads as "running"; libtorch errors reach the user as one line.
#include "tests/catch_torch.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lra/runtime/environment.h"
#include "lra/report/run_report.h"
#include "lra/train/trainer.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using lra::Json;

namespace {
std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("a failure inside a step ends the report as failed, with the error, and exits non-zero", "[train][failure]") {
  const fs::path out = lra::test::scratch("fault");
  const fs::path err = out / "stderr.txt";
  const int rc = lra::test::wait_for(lra::test::spawn_lra(
      {"train", "--task", "listops", "--model", "luna-16", "--profile", "smoke", "--data-dir",
       lra::test::smoke_listops_data(), "--out", (out / "run").string(), "--quiet"},
      {std::string(lra::kFaultEnv) + "=13"}, err.string()));
  CHECK(rc == 1);
  const Json report = lra::test::read_json(out / "run" / "latest.json");
  CHECK(report["status"] == "failed");
  CHECK_THAT(report["error"].get<std::string>(), Contains("injected fault after step 13"));
  CHECK(report["steps_done"] == 13);  // one checkpoint (step 12) exists
  const std::string message = read_all(err);
  CHECK_THAT(message, Contains("lra: error: libtorch failed: injected fault after step 13"));
  CHECK_THAT(message, Contains("(in `lra train`)"));
  CHECK(std::count(message.begin(), message.end(), '\n') == 1);  // one line, no backtrace

  // run_all's --reuse continues a failed run of this (clean) build from its checkpoint; a dirty build
  // starts a new one.
  const int again = lra::test::wait_for(lra::test::spawn_lra(
      {"train", "--task", "listops", "--model", "luna-16", "--profile", "smoke", "--data-dir",
       lra::test::smoke_listops_data(), "--out", (out / "run").string(), "--quiet", "--reuse"},
      {}, (out / "stderr-again.txt").string()));
  CHECK(again == 0);
  const Json after = lra::test::read_json(out / "run" / "latest.json");
  CHECK(after["status"] == "completed");
  const std::string commit = lra::lra_git_commit();
  const bool dirty = lra::is_dirty_commit(commit);
  CHECK((after["run_id"] == report["run_id"]) == !dirty);
}

TEST_CASE("a running report whose process is gone is shown as such", "[train][failure]") {
  Json report = {{"status", "running"}, {"pid", static_cast<int64_t>(::getpid())},
                 {"environment", {{"hostname", lra::hostname()}}}};
  CHECK(lra::effective_status(report) == "running");  // this process is alive
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // reaped: the pid no longer exists
  report["pid"] = child;
  CHECK(lra::effective_status(report) == "running (process gone)");
  report["environment"]["hostname"] = "another-host";  // can't tell from here
  CHECK(lra::effective_status(report) == "running");
  report["status"] = "completed";
  CHECK(lra::effective_status(report) == "completed");
}

TEST_CASE("with --verbose, a libtorch error is printed whole, with its backtrace", "[train][failure]") {
  const fs::path out = lra::test::scratch("fault_verbose");
  const fs::path err = out / "stderr.txt";
  const int rc = lra::test::wait_for(lra::test::spawn_lra(
      {"--verbose", "train", "--task", "listops", "--model", "luna-16", "--profile", "smoke", "--data-dir",
       lra::test::smoke_listops_data(), "--out", (out / "run").string(), "--quiet"},
      {std::string(lra::kFaultEnv) + "=2"}, err.string()));
  CHECK(rc == 1);
  const std::string message = read_all(err);
  CHECK_THAT(message, Contains("injected fault after step 2"));
  CHECK(std::count(message.begin(), message.end(), '\n') > 1);
}
