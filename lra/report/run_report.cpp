#include "lra/report/run_report.h"

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
#include "lra/report/run_inputs.h"
#include "lra/runtime/provenance.h"
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
  // latest.json is replaced atomically, so anything but a report here was put there by hand or cut short
  // by a copy.
  const RunReportFile latest = read_run_report(path);
  if (!latest.problem.empty())
    throw UserError(path + ": " + latest.problem + "; hint: delete it to start a new run, or copy the report of " +
                    "the run to resume (<out>/<run-id>.json) over it");
  return latest.report["run_id"].get<std::string>();
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

namespace {

// The fields that readers of run reports (report, plot, plan, --reuse) use, with the JSON type each must
// have where present: a report with another type there was not written by lra (edited, or corrupted in
// a way that still parses) and is named, not half-read.
std::string field_type_problem(const Json& doc) {
  enum Kind { kText, kInteger, kNumber, kBool, kObject, kArray };
  static const std::pair<const char*, Kind> fields[] = {
      {"/seed", kInteger}, {"/pid", kInteger}, {"/steps_done", kInteger}, {"/profile", kText}, {"/dtype", kText},
      {"/protocol", kText}, {"/objective", kText}, {"/environment", kObject}, {"/environment/git_commit", kText},
      {"/environment/hostname", kText}, {"/environment/cpu", kText}, {"/environment/threads", kInteger},
      {"/data", kObject}, {"/data/source", kText}, {"/data/substitute", kBool}, {"/data/real_text", kBool},
      {"/data/data_dir", kText}, {"/accuracy", kObject}, {"/majority_baseline", kObject}, {"/timing", kObject},
      {"/timing/wall_seconds", kNumber}, {"/curves", kObject}, {"/curves/train", kArray}, {"/curves/val", kArray},
      {"/updates", kObject}, {"/updates/pretrain", kInteger}, {"/updates/train", kInteger},
      {"/updates/total", kInteger}, {"/config", kObject}, {"/config/train", kObject},
      {"/config/train/steps", kInteger}, {"/checkpoints", kObject}, {"/checkpoints/last", kText},
      {"/inputs", kObject}, {"/inputs/config_sha256", kText}, {"/inputs/resolved_config_sha256", kText},
      {"/inputs/lra_commit", kText}, {"/inputs/data", kObject}, {"/inputs/data/sha256", kText},
      {"/accepted_changes", kArray}};
  auto has_kind = [](const Json& v, Kind kind) {
    switch (kind) {
      case kText: return v.is_string();
      case kInteger: return v.is_number_integer();
      case kNumber: return v.is_number();
      case kBool: return v.is_boolean();
      case kObject: return v.is_object();
      case kArray: return v.is_array();
    }
    return false;
  };
  static const char* const kind_names[] = {"text", "an integer", "a number", "true/false", "an object", "an array"};
  for (const auto& [pointer, kind] : fields) {
    const Json::json_pointer at(pointer);
    if (!doc.contains(at)) continue;  // a parent of another type is caught by the parent's own line
    if (!has_kind(doc.at(at), kind))
      return std::string("not a run report lra wrote: '") + (pointer + 1) + "' is " + doc.at(at).type_name() +
             ", not " + kind_names[kind];
  }
  for (const char* curve : {"train", "val"}) {
    const Json::json_pointer at(std::string("/curves/") + curve);
    if (!doc.contains(at)) continue;
    for (const auto& point : doc.at(at))
      if (!point.is_object() || (point.contains("step") && !point["step"].is_number_integer()) ||
          (point.contains("accuracy") && !point["accuracy"].is_number()))
        return std::string("not a run report lra wrote: a point of 'curves/") + curve +
               "' is not {step: integer, accuracy: number}";
  }
  return "";
}

// Why a parsed document is not a run report this lra reads; "" when it is one.
std::string run_report_problem(const Json& doc) {
  if (!doc.is_object()) return std::string("not a run report (a JSON ") + doc.type_name() + ", not an object)";
  if (doc.contains("kind") && doc["kind"].is_string())
    return "not a run report (a file of kind '" + printable(doc["kind"].get<std::string>(), 60) + "')";
  if (!doc.contains("schema_version")) return "not a run report (no schema_version)";
  if (!doc["schema_version"].is_number_integer() || doc["schema_version"].get<int64_t>() != kReportSchemaVersion)
    return "run report schema version " + doc["schema_version"].dump() + "; this lra reads version " +
           std::to_string(kReportSchemaVersion) + " (re-run it, or report it with the lra that wrote it)";
  for (const char* key : {"run_id", "task", "model", "status"})
    if (!doc.contains(key) || !doc[key].is_string())
      return std::string("not a run report (no text field '") + key + "')";
  if (!is_run_id(doc["run_id"].get<std::string>())) return "not a run report (its run_id names a path)";
  return field_type_problem(doc);
}

// The standard layout's cell and seed for a report path .../<task>/<model>/seed-<s>/latest.json.
LeftOutReport left_out_in_layout(const std::string& path, const std::string& why) {
  LeftOutReport out{path, why, "", "", -1};
  const fs::path run = fs::path(path).parent_path();
  const std::string leaf = run.filename().string();
  if (leaf.rfind("seed-", 0) != 0 || leaf.size() > 14 || leaf.size() == 5 ||
      !std::all_of(leaf.begin() + 5, leaf.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return out;
  out.model = run.parent_path().filename().string();
  out.task = run.parent_path().parent_path().filename().string();
  if (out.model.empty() || out.task.empty()) return out;
  out.seed = std::stoll(leaf.substr(5));
  return out;
}

}  // namespace

RunReportFile read_run_report(const std::string& path) {
  std::string text;
  try {
    text = read_text_file(path);
  } catch (const std::exception& e) {
    return {nullptr, std::string("cannot be read: ") + e.what()};
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return {nullptr, "empty (" + std::to_string(text.size()) + " bytes): a write or copy that never finished"};
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    // Text that ends inside the document was cut short (the parser read past its end, or hit the end
    // where a value was due); any other parse error means it is not JSON.
    if (e.byte > text.size() || std::string(e.what()).find("unexpected end of input") != std::string::npos)
      return {nullptr, "truncated: the JSON ends after " + std::to_string(text.size()) +
                           " bytes, before the document is complete (an interrupted copy or a full disk?)"};
    return {nullptr, "not JSON (parse error at byte " + std::to_string(e.byte) + " of " + std::to_string(text.size()) + ")"};
  } catch (const Json::out_of_range& e) {  // a number too large for a double (found by fuzz_run_reports)
    return {nullptr, "not usable JSON (" + printable(e.what(), 200) + ")"};
  }
  std::string problem = run_report_problem(doc);
  if (!problem.empty()) return {nullptr, problem};
  return {std::move(doc), ""};
}

namespace {

// Every run of the folder's sweep manifest, if it has one, that has no finished report in its run folder.
void add_sweep_gaps(const std::string& dir, RunReportScan& scan) {
  const std::string manifest = manifest_path(dir);
  std::error_code error;
  if (!fs::exists(manifest, error)) return;
  std::vector<SweepRun> runs;
  try {
    runs = read_manifest(manifest);
  } catch (const UserError& e) {
    scan.unusable.push_back({manifest, std::string("the sweep's manifest cannot be read: ") + e.what(), "", "", -1});
    return;
  }
  scan.manifest = manifest;
  scan.sweep_runs = static_cast<int>(runs.size());
  for (const auto& run : runs) {
    const std::string latest = (fs::path(dir) / run.run_folder / "latest.json").string();
    std::string status;
    RunReportFile file;
    if (!fs::exists(latest, error)) status = "missing";
    else if (file = read_run_report(latest); !file.problem.empty()) status = "unreadable";
    else {
      const Json recorded = file.report.value("status", Json("?"));
      status = recorded.is_string() ? recorded.get<std::string>() : "?";
    }
    if (status != "completed" && status != "diverged") scan.sweep_gaps.push_back({run, status});
    if (status == "unreadable" || status == "missing") continue;
    const Json ran = file.report.contains("inputs") && file.report["inputs"].is_object()
                         ? file.report["inputs"].value("resolved_config_sha256", Json()) : Json();
    if (!ran.is_string() || ran.get<std::string>() == run.config_sha256) continue;
    bool accepted = false;
    if (file.report.contains("accepted_changes") && file.report["accepted_changes"].is_array())
      for (const auto& change : file.report["accepted_changes"])
        accepted = accepted || (change.is_object() && change.value("input", Json()) == kInputConfig);
    scan.input_mismatches.push_back(left_out_in_layout(
        latest, "line " + std::to_string(run.index) + " of the sweep planned config " + run.config_sha256.substr(0, 12) +
                    ", the run resolved " + ran.get<std::string>().substr(0, 12) +
                    (accepted ? " (accepted with --accept-changed config)" : "") +
                    "; the sweep mixes configs: plan it again and re-run that line"));
  }
}

// The data fingerprint a report records ("" when none).
std::string data_fingerprint_of(const Json& report) {
  if (!report.contains("inputs") || !report["inputs"].is_object()) return "";
  const Json data = report["inputs"].value("data", Json());
  if (!data.is_object() || !data.value("sha256", Json()).is_string()) return "";
  return data["sha256"].get<std::string>();
}

// Seeds of one cell that read other data than the rest of the cell: the fingerprint most of its seeds share
// (on a tie, the lowest seed's) is the cell's; every other one is named.
void add_data_mismatches(const std::vector<std::pair<Json, std::string>>& runs, RunReportScan& scan) {
  using Cell = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  std::map<Cell, std::vector<const std::pair<Json, std::string>*>> cells;
  for (const auto& run : runs) {
    if (data_fingerprint_of(run.first).empty()) continue;
    const Json& r = run.first;
    cells[{r["task"].get<std::string>(), r["model"].get<std::string>(), r.value("profile", Json("")).dump(),
           r.value("dtype", Json("")).dump(), run_protocol(r)}]
        .push_back(&run);
  }
  for (auto& [cell, members] : cells) {
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return report_seed(a->first) < report_seed(b->first); });
    std::map<std::string, int> counts;
    for (const auto* m : members) ++counts[data_fingerprint_of(m->first)];
    if (counts.size() < 2) continue;
    std::string common = data_fingerprint_of(members.front()->first);
    for (const auto& [fingerprint, n] : counts)
      if (n > counts[common]) common = fingerprint;
    for (const auto* m : members) {
      const std::string fingerprint = data_fingerprint_of(m->first);
      if (fingerprint == common) continue;
      scan.input_mismatches.push_back(left_out_in_layout(
          m->second, "seed " + std::to_string(report_seed(m->first)) + " read data with fingerprint " +
                         fingerprint.substr(0, 12) + ", the other seeds of its cell " + common.substr(0, 12) +
                         "; re-run it on the same data"));
    }
  }
}

}  // namespace

RunReportScan scan_run_reports(const std::string& dir) {
  std::error_code error;
  if (!fs::exists(dir, error))
    throw UserError(dir + ": no such folder; hint: give the --out folder of `lra train` or ./run_all.sh (e.g. runs/cpu)");
  if (!fs::is_directory(dir, error)) throw UserError(dir + ": not a folder; hint: give the folder that holds the runs");
  // Two reports are the same seed of the same cell only under the same profile and precision too.
  using Key = std::tuple<std::string, std::string, int64_t, std::string, std::string, std::string>;
  auto key_of = [](const Json& r) {
    const Json profile = r.value("profile", Json(""));
    const Json dtype = r.value("dtype", Json(""));
    return Key{r["task"].get<std::string>(), r["model"].get<std::string>(), report_seed(r),
               profile.is_string() ? profile.get<std::string>() : "", dtype.is_string() ? dtype.get<std::string>() : "",
               run_protocol(r)};
  };
  std::vector<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error))
    if (it->path().filename() == "latest.json") paths.push_back(it->path().string());
  if (error) throw UserError(dir + ": cannot be listed (" + error.message() + ")");
  std::sort(paths.begin(), paths.end());  // the same order on every file system

  RunReportScan scan;
  std::map<Key, std::pair<Json, std::string>> by_key;  // the report and its path
  for (const auto& path : paths) {
    RunReportFile file = read_run_report(path);
    if (!file.problem.empty()) {
      scan.unusable.push_back(left_out_in_layout(path, file.problem));
      continue;
    }
    const Key key = key_of(file.report);
    auto [it, inserted] = by_key.emplace(key, std::make_pair(file.report, path));
    if (inserted) continue;
    auto& [kept, kept_path] = it->second;
    const bool newer = file.report["run_id"].get<std::string>() > kept["run_id"].get<std::string>();
    const std::string loser_path = newer ? kept_path : path;
    const std::string winner_path = newer ? path : kept_path;
    scan.superseded.push_back(left_out_in_layout(
        loser_path, "the same run (task, model, seed, profile, dtype, protocol) as " + winner_path +
                        ", whose run id is later"));
    if (newer) it->second = {std::move(file.report), path};
  }
  std::vector<std::pair<Json, std::string>> kept;
  for (auto& [key, entry] : by_key) kept.push_back(std::move(entry));
  add_data_mismatches(kept, scan);
  for (auto& entry : kept) scan.runs.push_back(std::move(entry.first));
  add_sweep_gaps(dir, scan);
  return scan;
}

std::vector<Json> collect_run_reports(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return {};
  return scan_run_reports(dir).runs;
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

ReuseDecision reuse_decision(const Json& earlier, const Json& config, const Json& inputs_now,
                             const std::string& data_dir) {
  // What the run read and trained first, so that the message names a changed input even on a dirty build.
  const Json recorded_inputs = earlier.contains("inputs") ? earlier["inputs"] : Json();
  const auto changes = changed_inputs(earlier.contains("config") ? earlier["config"] : Json(), recorded_inputs, config,
                                      inputs_now, {kInputConfig, kInputData, kInputModel});
  if (!changes.empty()) return {false, describe_changes(changes)};
  const Json& data = earlier.contains("data") && earlier["data"].is_object() ? earlier["data"] : Json::object();
  const std::string earlier_data = data.value("data_dir", Json("")).is_string() ? data.value("data_dir", "") : "";
  if (earlier_data != data_dir) return {false, "it read data from '" + earlier_data + "', not '" + data_dir + "'"};
  const std::string commit =
      recorded_inputs.is_object() && recorded_inputs.value("lra_commit", Json()).is_string()
          ? recorded_inputs["lra_commit"].get<std::string>() : "";
  if (is_dirty_commit(commit))
    return {false, "it was made by a build from a tree with uncommitted changes (" + commit + ")"};
  if (commit != lra_git_commit())
    return {false, "it was made by lra commit " + (commit.empty() ? std::string("(unknown)") : commit) +
                       ", this binary is commit " + lra_git_commit()};
  return {true, ""};
}

}  // namespace lra
