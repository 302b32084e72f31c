#pragma once
// Task name -> how to load its splits from the official release layout and how to generate data in
// that layout offline. Registered with one explicit line each in tasks/registry.cpp.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/common/data_fingerprint.h"
#include "tasks/dataset.h"

namespace lra {

// Loads train/val/test from data_dir (the release root, e.g. data/ holding listops-1000/).
// task_config is the resolved config's "task" section (task.data.* says where and how).
// Applies task.data.{train,val,test}_limit. Throws UserError (file:line and the fix) on bad input.
using TaskLoader = std::function<TaskSplits(const std::string& data_dir, const nlohmann::json& task_config,
                                            SplitsToRead which)>;

// Writes generated data in the official layout under data_dir, plus a DATASET.json in the task's
// folder. task_config.generate holds the generator parameters; seed makes it deterministic.
using TaskGenerator =
    std::function<void(const std::string& data_dir, const nlohmann::json& task_config, uint64_t seed)>;

// The folder under data_dir that the loader reads (and the generator writes): what the run's data
// fingerprint covers.
using TaskDataFolder = std::function<std::string(const std::string& data_dir, const nlohmann::json& task_config)>;

struct TaskEntry {
  std::string name;
  std::string description;
  TaskLoader load;
  TaskGenerator generate;  // may be empty when the task cannot be generated offline
  std::string title;       // as tables print it ("ListOps")
  bool lra_column = false; // one of the five columns of the LRA table, and of its average
  TaskDataFolder data_folder;  // empty: <data_dir>/<task.data.folder>
};

const std::vector<TaskEntry>& task_registry();
// The names of the lra_column tasks, in table order: the default tasks of run_all.sh and lra plan.
std::vector<std::string> default_table_tasks();
const TaskEntry& find_task(const std::string& name);  // UserError listing the known names

// The folder a resolved config's task reads under data_dir, and its fingerprint (tasks/common/data_fingerprint.h).
std::string task_data_folder(const std::string& data_dir, const nlohmann::json& config);
data::DataFingerprint task_data_fingerprint(const std::string& data_dir, const nlohmann::json& config);

// Loads a task's splits for a resolved config (config["task"]["name"] picks the entry).
TaskSplits load_task(const std::string& data_dir, const nlohmann::json& config,
                     SplitsToRead which = SplitsToRead::all);

}  // namespace lra
