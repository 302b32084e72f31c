#include "lra/run_report.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <map>
#include <random>
#include <tuple>

#include "core/atomic_file.h"
#include "lra/environment.h"
#include "core/errors.h"

namespace lra {

std::string new_run_id() {
  const std::string stamp = utc_time("%Y%m%d-%H%M%S");
  std::random_device device;
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%04x", static_cast<unsigned>(device() & 0xffff));
  return stamp + "-" + std::to_string(::getpid()) + "-" + suffix;
}

RunPaths run_paths(const std::string& out_dir, const std::string& run_id) {
  const std::string checkpoints = out_dir + "/checkpoints/" + run_id;
  return {out_dir, run_id, out_dir + "/" + run_id + ".json", out_dir + "/latest.json", checkpoints + "/last.ckpt",
          checkpoints + "/best.ckpt"};
}

bool is_run_id(const std::string& text) {
  return !text.empty() && text.size() <= 100 && text[0] != '.' &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

std::string latest_run_id(const std::string& out_dir) {
  const std::string path = out_dir + "/latest.json";
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return "";
  // latest.json is replaced atomically, so anything but a report here was put there by hand.
  Json latest = Json::parse(read_text_file(path), nullptr, /*allow_exceptions=*/false);
  if (!latest.is_object() || !latest.contains("run_id") || !latest["run_id"].is_string() ||
      !is_run_id(latest["run_id"].get<std::string>()))
    throw UserError(path + ": not a run report with a run_id; hint: delete it to start a new run, or copy the " +
                    "report of the run to resume (<out>/<run-id>.json) over it");
  return latest["run_id"].get<std::string>();
}

int64_t reported_steps(const std::string& report_path) {
  std::error_code error;
  if (!std::filesystem::exists(report_path, error)) return 0;
  Json report = Json::parse(read_text_file(report_path), nullptr, /*allow_exceptions=*/false);
  if (!report.is_object() || !report.contains("steps_done") || !report["steps_done"].is_number_integer()) return 0;
  return report["steps_done"].get<int64_t>();
}

void write_run_report(const RunPaths& paths, const Json& report) {
  write_json_atomically(paths.report, report);
  write_json_atomically(paths.latest, report);
}

namespace fs = std::filesystem;

std::vector<Json> collect_run_reports(const std::string& dir) {
  // Two reports are the same seed of the same cell only under the same profile and precision too.
  using Key = std::tuple<std::string, std::string, int64_t, std::string, std::string, std::string>;
  auto key_of = [](const Json& r) {
    const Json profile = r.value("profile", Json(""));
    const Json dtype = r.value("dtype", Json(""));
    return Key{r["task"].get<std::string>(), r["model"].get<std::string>(), report_seed(r),
               profile.is_string() ? profile.get<std::string>() : "", dtype.is_string() ? dtype.get<std::string>() : "",
               run_protocol(r)};
  };
  std::map<Key, Json> by_seed;
  if (!fs::exists(dir)) return {};
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().filename() != "latest.json") continue;
    Json doc = Json::parse(read_text_file(entry.path().string()), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("run_id") || !doc["run_id"].is_string() || !doc.contains("task") ||
        !doc["task"].is_string() || !doc.contains("model") || !doc["model"].is_string())
      continue;
    auto [it, inserted] = by_seed.emplace(key_of(doc), doc);
    if (!inserted && doc["run_id"].get<std::string>() > it->second["run_id"].get<std::string>()) it->second = doc;
  }
  std::vector<Json> runs;
  for (auto& [key, doc] : by_seed) runs.push_back(std::move(doc));
  return runs;
}

std::string run_protocol(const Json& run) {
  const Json objective = run.value("objective", Json("classification"));
  if (objective == "masked_tokens") return "pretrain";
  return run.value("protocol", Json("scratch")) == "spt" ? "spt" : "scratch";
}

std::vector<Json> runs_of_protocol(const std::vector<Json>& runs, const std::string& protocol) {
  std::vector<Json> out;
  for (const auto& r : runs)
    if (run_protocol(r) == protocol) out.push_back(r);
  return out;
}

int64_t report_seed(const Json& run) {
  const Json seed = run.value("seed", Json(0));
  return seed.is_number_integer() ? seed.get<int64_t>() : 0;
}

bool is_dirty_commit(const std::string& commit) {
  return commit.size() >= 6 && commit.compare(commit.size() - 6, 6, "-dirty") == 0;
}

std::string effective_status(const Json& run) {
  if (!run.contains("status") || !run["status"].is_string()) return "?";
  const std::string status = run["status"];
  if (status != "running" || !run.contains("pid") || !run["pid"].is_number_integer()) return status;
  const bool here = run.contains("environment") && run["environment"].is_object() &&
                    run["environment"].value("hostname", Json("")) == hostname();
  const auto pid = static_cast<pid_t>(run["pid"].get<int64_t>());
  if (here && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) return "running (process gone)";
  return status;
}

std::string data_mark(const Json& run) {
  const Json& data = run.contains("data") ? run["data"] : Json::object();
  if (data.value("substitute", false)) return data.value("real_text", false) ? "T" : "S";
  if (data.value("source", "").find("generat") != std::string::npos) return "G";
  return "R";
}

ReuseDecision reuse_decision(const Json& earlier, const Json& config, const std::string& data_dir) {
  auto text_at = [&](const char* section, const char* key) {
    if (!earlier.contains(section) || !earlier[section].is_object() || !earlier[section].contains(key) ||
        !earlier[section][key].is_string())
      return std::string();
    return earlier[section][key].get<std::string>();
  };
  const std::string commit = text_at("environment", "git_commit");
  if (is_dirty_commit(commit))
    return {false, "it was made by a build from a tree with uncommitted changes (" + commit + ")"};
  if (commit != lra_git_commit())
    return {false, "it was made by lra commit " + (commit.empty() ? std::string("(unknown)") : commit) +
                       ", this binary is commit " + lra_git_commit()};
  if (!earlier.contains("config")) return {false, "it records no config"};
  const std::string diff = first_difference(earlier["config"], config);
  if (!diff.empty()) return {false, "its config differs at '" + diff + "'"};
  const std::string earlier_data = text_at("data", "data_dir");
  if (earlier_data != data_dir) return {false, "it read data from '" + earlier_data + "', not '" + data_dir + "'"};
  return {true, ""};
}

}  // namespace lra
