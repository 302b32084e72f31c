// lra data generate | check: write a task's data in the official LRA layout, or validate a data folder
// through the same loader training uses.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "core/atomic_file.h"
#include "lra/cli/commands.h"
#include "lra/config/cell_config.h"
#include "lra/config/config.h"
#include "lra/report/seed_aggregate.h"
#include "core/errors.h"
#include "tasks/registry.h"
#include "tasks/summary.h"

namespace lra::cli {
namespace {

struct DataOptions {
  ConfigOptions config;
  std::string data_dir = "data";
  uint64_t seed = 0;
  std::string resolution, difficulty, source;  // generate only; empty = from the config
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string with_one_decimal(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", x);
  return buffer;
}

// --resolution / --difficulty / --source become --set overrides of task.generate.* (checked here so the
// error names the flag, not the config key).
std::vector<std::string> generator_overrides(const DataOptions& o) {
  std::vector<std::string> overrides;
  const bool pathfinder = o.config.task == "pathfinder" || o.config.task == "pathx";
  if ((!o.resolution.empty() || !o.difficulty.empty()) && !pathfinder)
    throw UserError("--resolution and --difficulty apply to --task pathfinder and pathx only");
  if (!o.resolution.empty()) {
    if (o.resolution != "32" && o.resolution != "128")
      throw UserError("--resolution must be 32 or 128, got '" + o.resolution + "'");
    overrides.push_back("task.generate.resolution=" + o.resolution);
  }
  if (!o.difficulty.empty()) {
    std::string folder = o.difficulty;
    if (o.difficulty == "baseline") folder = "curv_baseline";
    else if (o.difficulty == "9" || o.difficulty == "14") folder = "curv_contour_length_" + o.difficulty;
    if (folder != "curv_baseline" && folder != "curv_contour_length_9" && folder != "curv_contour_length_14")
      throw UserError("--difficulty must be baseline, 9 or 14, got '" + o.difficulty + "'");
    overrides.push_back("task.generate.difficulty=" + folder);
  }
  if (!o.source.empty()) {
    // A task without task.generate.source rejects the override as an unknown key.
    overrides.push_back("task.generate.source=" + o.source);
  }
  return overrides;
}

Json resolve(const DataOptions& o, const GlobalOptions& global, const std::vector<std::string>& extra) {
  ConfigRequest request{o.config.task, o.config.model.empty() ? kReferenceModel : o.config.model, o.config.profile,
                        extra, global.config_dir};
  request.overrides.insert(request.overrides.end(), o.config.overrides.begin(), o.config.overrides.end());
  return resolve_cell_config(request);
}

int run_generate(const DataOptions& o, bool seed_given, const GlobalOptions& global) {
  const Json config = resolve(o, global, generator_overrides(o));
  const auto& entry = find_task(o.config.task);
  if (!entry.generate) throw UserError("task '" + entry.name + "' has no offline generator");
  const Json& generate = config["task"]["generate"];
  uint64_t seed = 1;
  if (seed_given) seed = o.seed;
  else if (generate.contains("seed") && generate["seed"].is_number_integer()) seed = generate["seed"].get<uint64_t>();

  const auto start = std::chrono::steady_clock::now();
  entry.generate(o.data_dir, config["task"], seed);
  const std::string folder = (std::filesystem::path(o.data_dir) / config["task"]["data"]["folder"].get<std::string>()).string();
  std::cout << "generated " << entry.name << " (profile " << o.config.profile << ", seed " << seed << ") in "
            << folder << " in " << with_one_decimal(seconds_since(start)) << " s\n";
  const std::string described = folder + "/DATASET.json";
  if (std::filesystem::exists(described)) {
    const Json dataset = Json::parse(read_text_file(described));
    std::cout << "  source: " << dataset.value("source", "?") << (dataset.value("substitute", false) ? " [substitute]" : "")
              << "\n  counts: " << dataset.value("counts", Json::object()).dump() << "\n";
  }
  return 0;
}

std::string fingerprint_line(const data::DataFingerprint& f, double seconds) {
  return "fingerprint " + f.sha256.substr(0, 12) + " of " + f.folder + " (" + std::to_string(f.files) + " files, " +
         std::to_string(f.bytes) + " bytes; read " + std::to_string(f.hashed_files) + " files, " +
         std::to_string(f.hashed_bytes) + " bytes, in " + with_one_decimal(seconds) + " s)";
}

// Generated data records its generator's parameters: a folder made with other task.generate values
// than the config asks for (e.g. after a profile changed) is stale, not ready.
void check_generation_parameters(const Json& provenance, const Json& config, const std::string& folder) {
  if (!provenance.contains("parameters") || !config["task"].contains("generate")) return;
  const Json& recorded = provenance["parameters"];
  for (const auto& [key, wanted] : config["task"]["generate"].items()) {
    if (key == "seed") continue;  // another seed is another sample of the same data, not stale data
    const Json* had = recorded.contains(key) ? &recorded[key] : nullptr;
    if (had && *had == wanted) continue;
    throw UserError(folder + " was generated with task.generate." + key + " = " + (had ? had->dump() : "(not set)") +
                    ", the config asks for " + wanted.dump() + " (fix: lra data generate --task " +
                    config["task"]["name"].get<std::string>() + " with the same profile and --set options)");
  }
}

int run_check(const DataOptions& o, const GlobalOptions& global) {
  const Json config = resolve(o, global, {});
  const auto start = std::chrono::steady_clock::now();
  const TaskSplits splits = load_task(o.data_dir, config);
  const double elapsed = seconds_since(start);
  const Json provenance = Json::parse(splits.provenance_json);
  check_generation_parameters(provenance, config, o.data_dir + "/" + config["task"]["data"]["folder"].get<std::string>());
  std::cout << o.config.task << " in " << o.data_dir << "/" << config["task"]["data"]["folder"].get<std::string>()
            << " (profile " << o.config.profile << ")\n  source: " << provenance.value("source", "?")
            << (provenance.value("substitute", false) ? " [substitute]" : "") << "\n";
  const int64_t max_len = config["task"]["max_len"].get<int64_t>();
  std::cout << describe_splits(splits, config["task"]["classes"].get<int64_t>(), max_len - 1);
  std::cout << "ok: every file loaded in " << with_one_decimal(elapsed) << " s\n";
  const auto fingerprint_start = std::chrono::steady_clock::now();
  std::cout << fingerprint_line(task_data_fingerprint(o.data_dir, config), seconds_since(fingerprint_start)) << "\n";
  return 0;
}

int run_fingerprint(const DataOptions& o, const std::string& folder, const GlobalOptions& global) {
  const auto start = std::chrono::steady_clock::now();
  const data::DataFingerprint f =
      folder.empty() ? task_data_fingerprint(o.data_dir, resolve(o, global, {})) : data::fingerprint_folder(folder);
  std::cout << fingerprint_line(f, seconds_since(start)) << "\nsha256 " << f.sha256 << "\n";
  return 0;
}

}  // namespace

void add_data_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* data = app.add_subcommand("data", "generate or check task data (official LRA layout)");
  data->require_subcommand(1);

  auto* generate = data->add_subcommand("generate", "write a task's data under --data-dir, with a DATASET.json");
  auto g = std::make_shared<DataOptions>();
  add_config_options(*generate, g->config, /*model_required=*/false);
  generate->add_option("--data-dir", g->data_dir, "data root (the LRA release layout)")->capture_default_str();
  auto* seed = generate->add_option("--seed", g->seed, "generator seed (default: task.generate.seed, else 1)");
  generate->add_option("--resolution", g->resolution, "pathfinder/pathx: 32 or 128 (task.generate.resolution)");
  generate->add_option("--difficulty", g->difficulty, "pathfinder/pathx: baseline, 9 or 14 (task.generate.difficulty)");
  generate->add_option("--source", g->source,
                       "image: fashion-mnist; text, retrieval: synthetic or kernel-docs (task.generate.source)");
  generate->callback([&global, &action, g, seed] {
    const bool seed_given = seed->count() > 0;
    action = [&global, g, seed_given] { return run_generate(*g, seed_given, global); };
  });

  auto* check = data->add_subcommand("check", "load every split through the loader; print counts, labels, lengths");
  auto c = std::make_shared<DataOptions>();
  add_config_options(*check, c->config, /*model_required=*/false);
  check->add_option("--data-dir", c->data_dir, "data root (the LRA release layout)")->capture_default_str();
  check->callback([&global, &action, c] {
    action = [&global, c] { return run_check(*c, global); };
  });

  auto* fingerprint = data->add_subcommand(
      "fingerprint", "the data fingerprint runs record (SHA-256 over every file's path, size and SHA-256; cached): "
                     "of a task's folder (--task, --data-dir) or of any --folder");
  auto f = std::make_shared<DataOptions>();
  auto folder = std::make_shared<std::string>();
  add_config_options(*fingerprint, f->config, /*model_required=*/false, /*task_required=*/false);
  fingerprint->add_option("--data-dir", f->data_dir, "data root (the LRA release layout)")->capture_default_str();
  fingerprint->add_option("--folder", *folder, "any folder instead of a task's");
  fingerprint->callback([&global, &action, f, folder] {
    action = [&global, f, folder] {
      if (folder->empty() && f->config.task.empty())
        throw UserError("lra data fingerprint needs --task (with --data-dir) or --folder");
      return run_fingerprint(*f, *folder, global);
    };
  });
}

}  // namespace lra::cli
