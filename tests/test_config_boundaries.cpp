// Every declared config key at its boundary values (0, -1, just outside its range, NaN, inf, a huge
// value), through `lra train` and `lra bench` on tiny data: each value is either rejected (exit 2, one
// line naming the key, nothing written under --out) or valid, and then the run ends with a terminal
// report (completed, or interrupted by --stop-after, or diverged for learning rates that explode).
// The outcome table is written to $LRA_BOUNDARY_TABLE (default: <temp>/lra-config-boundaries.md).
#include "tests/catch_torch.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "lra/config/config.h"
#include "lra/config/config_ranges.h"
#include "models/registry.h"
#include "tasks/registry.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using lra::Json;

namespace {

// Pathfinder's generator keys with a default in code and none in the task files (the difficulty's own
// distractor count, 1,000 images per folder): --set cannot give a key a config lacks, so the walk cannot
// reach them (the two keys tests/test_config_ranges.cpp allows without a shipped value).
const std::set<std::string> kOptionalGeneratorKeys{"task.generate.distractor_snakes", "task.generate.images_per_folder"};

// Every registered task and model: a key of any of them (a variant's own model.attention.* keys too) is walked.
std::vector<std::string> all_tasks() {
  std::vector<std::string> names;
  for (const auto& entry : lra::task_registry()) names.push_back(entry.name);
  return names;
}
// The registry's models that the lra binary lists too (`lra models`): a variant a test registers in this
// process only (tests/test_variant_in_one_file.cpp) cannot be run by the binary the walk spawns.
std::vector<std::string> all_models() {
  static const std::vector<std::string> names = [] {
    const std::string listed = lra::test::capture_lra({"models"}, lra::test::scratch("boundary_models")).out;
    std::vector<std::string> known;
    for (const auto& entry : lra::model_registry())
      if (listed.find("\n  " + entry.name + " ") != std::string::npos) known.push_back(entry.name);
    return known;
  }();
  return names;
}

// Smoke data of a task, generated once per test process.
const std::string& data_of(const std::string& task) {
  static std::map<std::string, std::string> dirs;
  auto it = dirs.find(task);
  if (it != dirs.end()) return it->second;
  const auto dir = lra::test::scratch("boundary_data_" + task);
  const Json config = lra::resolve_config({task, "luna-16", "smoke", {}, ""});
  lra::find_task(task).generate(dir.string(), config["task"], 1);
  return dirs[task] = dir.string();
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string format_value(double v, bool integer) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream out;
  if (integer) out << static_cast<long long>(v);
  else out.precision(17), out << v;
  return out.str();
}

std::vector<std::string> boundary_values(const lra::ValueRange& range, bool integer) {
  std::vector<std::string> values;
  if (range.is_set()) return {"not-a-member"};
  auto add = [&](const std::string& v) {
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  };
  add("0");
  add("-1");
  for (double v : range.just_outside(integer)) add(format_value(v, integer));
  add("nan");
  add("inf");
  add(integer ? "9223372036854775807" : "1e300");
  return values;
}

struct Outcome {
  std::string text;  // for the table
  bool ok = false;
  std::string why;
};

// Rejected: exit 2, one stderr line naming the key, nothing under out. Valid: a terminal report/result.
Outcome judge(int rc, const std::string& key, const fs::path& err, const fs::path& out, const fs::path& result,
              const std::vector<std::string>& terminal) {
  const std::string message = read_all(err);
  if (rc == 2) {
    const auto lines = std::count(message.begin(), message.end(), '\n');
    if (lines != 1) return {"exit 2", false, "expected one line, got: " + message};
    if (message.find(key) == std::string::npos) return {"exit 2", false, "the line does not name the key: " + message};
    if (fs::exists(out) && !fs::is_empty(out)) return {"exit 2", false, "files were written under " + out.string()};
    return {"rejected", true, ""};
  }
  if (!fs::exists(result)) return {"exit " + std::to_string(rc), false, "no result and no clean rejection: " + message};
  if (terminal.empty()) return {rc == 0 ? "ran" : "exit " + std::to_string(rc), rc == 0, message};
  const Json report = lra::test::read_json(result);
  const std::string status = report.value("status", "?");
  const bool terminal_status = std::find(terminal.begin(), terminal.end(), status) != terminal.end();
  const bool rc_matches = (rc == 0 && status != "diverged") || (rc == 3 && status == "diverged");
  return {"ran: " + status, terminal_status && rc_matches, "exit " + std::to_string(rc) + ": " + message};
}

// `command` runs each value: train, or pretrain for the pretrain.* keys (lra train ignores most of them).
void walk_section(const std::string& section, const std::string& command = "train") {
  const auto ranges = lra::declared_ranges("");
  const char* table_env = std::getenv("LRA_BOUNDARY_TABLE");
  const fs::path table_path = table_env && *table_env ? fs::path(table_env)
                                                      : fs::temp_directory_path() / "lra-config-boundaries.md";
  std::ofstream table(table_path.string() + "." + section, std::ios::trunc);
  table << "| key | range | cell | value | lra " << command << " | lra bench |\n|---|---|---|---|---|---|\n";
  int index = 0;
  for (const auto& [key, range] : ranges) {
    if (key.rfind(section + ".", 0) != 0) continue;
    // The first smoke cell whose config has the key (task.data.* and model.attention.* depend on it). A key
    // in no smoke config cannot be given with --set, so the walk never reaches it: a failure, but for the
    // optional generator keys that only a task file can set (kOptionalGeneratorKeys).
    std::string task, model;
    bool integer = false;
    for (const auto& t : all_tasks())
      for (const auto& m : all_models())
        if (task.empty()) {
          const Json config = lra::resolve_config({t, m, "smoke", {}, ""});
          if (const Json* v = lra::at_path(config, key)) task = t, model = m, integer = v->is_number_integer();
        }
    if (task.empty()) {
      INFO(key << " (range " << range.text() << ") is in no smoke config of any registered task and model");
      CHECK(kOptionalGeneratorKeys.count(key) == 1);
      table << "| " << key << " | " << range.text() << " | (optional: set in a task file only) | | | |\n";
      continue;
    }
    for (const auto& value : boundary_values(range, integer)) {
      CAPTURE(key, value, task, model);
      const auto dir = lra::test::scratch("boundary_" + section + "_" + std::to_string(index++));
      const std::string set = key + "=" + value;
      const int train_rc = lra::test::wait_for(lra::test::spawn_lra(
          {command, "--task", task, "--model", model, "--profile", "smoke", "--data-dir", data_of(task), "--set",
           set, "--out", (dir / "train").string(), "--stop-after", "2", "--quiet"},
          {}, (dir / "train.err").string()));
      const Outcome train = judge(train_rc, key, dir / "train.err", dir / "train", dir / "train" / "latest.json",
                                  {"completed", "interrupted", "diverged"});
      INFO("lra " << command << ": " << train.text << " " << train.why);
      CHECK(train.ok);
      const int bench_rc = lra::test::wait_for(lra::test::spawn_lra(
          {"bench", "--task", task, "--profile", "smoke", "--models", model, "--lengths", "48", "--batch", "2",
           "--steps", "1", "--warmup", "0", "--set", set, "--out", (dir / "bench").string(), "--quiet"},
          {}, (dir / "bench.err").string()));
      const Outcome bench = judge(bench_rc, key, dir / "bench.err", dir / "bench", dir / "bench" / "bench.json", {});
      INFO("lra bench: " << bench.text << " " << bench.why);
      CHECK(bench.ok);
      table << "| " << key << " | " << range.text() << " | " << task << " / " << model << " | " << value << " | "
            << train.text << " | " << bench.text << " |\n";
      fs::remove_all(dir);
    }
  }
  WARN("boundary outcomes: " << table_path.string() << "." << section);
}

}  // namespace

TEST_CASE("boundary values of every task.* key: rejected in one line or run to a terminal report", "[config][boundaries]") {
  walk_section("task");
}
TEST_CASE("boundary values of every model.* key: rejected in one line or run to a terminal report", "[config][boundaries]") {
  walk_section("model");
}
TEST_CASE("boundary values of every train.* and runtime.* key: rejected in one line or run to a terminal report",
          "[config][boundaries]") {
  walk_section("train");
  walk_section("runtime");
}
TEST_CASE("boundary values of every pretrain.* key through lra pretrain: rejected in one line or run to a terminal "
          "report", "[config][boundaries]") {
  walk_section("pretrain", "pretrain");
}
