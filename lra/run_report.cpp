#include "lra/run_report.h"

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <random>

#include "lra/atomic_file.h"
#include "lra/environment.h"

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

std::string latest_run_id(const std::string& out_dir) {
  const std::string path = out_dir + "/latest.json";
  if (!std::filesystem::exists(path)) return "";
  Json latest = Json::parse(read_text_file(path), nullptr, /*allow_exceptions=*/false);
  if (!latest.is_object() || !latest.contains("run_id")) return "";
  return latest["run_id"].get<std::string>();
}

void write_run_report(const RunPaths& paths, const Json& report) {
  write_json_atomically(paths.report, report);
  write_json_atomically(paths.latest, report);
}

}  // namespace lra
