#include "lra/run_report.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <random>

#include "lra/atomic_file.h"
#include "lra/environment.h"
#include "lra/errors.h"

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

}  // namespace lra
