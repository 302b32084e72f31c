// The task table: one explicit line per task (a static library drops self-registering objects).
#include "tasks/registry.h"

#include <algorithm>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/image/image.h"
#include "tasks/listops/listops.h"
#include "tasks/pathfinder/pathfinder.h"
#include "tasks/retrieval/retrieval.h"
#include "tasks/text/text.h"

namespace lra {

const std::vector<TaskEntry>& task_registry() {
  static const std::vector<TaskEntry> tasks{
      {"listops", "ListOps: nested MIN/MAX/MED/SM expressions, 10 classes (generator = the LRA algorithm)",
       load_listops, generate_listops, "ListOps", true},
      {"text", "Text: IMDB reviews as bytes, 2 classes (generator = a synthetic substitute: scattered cue words)",
       load_text, generate_text, "Text", true},
      {"retrieval",
       "Retrieval: AAN document pairs as bytes, 2 classes (generator = a synthetic substitute: shared latent topic)",
       load_retrieval, generate_retrieval, "Retrieval", true},
      {"image", "Image: CIFAR-10 as 1024 grayscale pixels, 10 classes (generator = Fashion-MNIST as a substitute)",
       load_image, generate_image, "Image", true},
      {"pathfinder", "Pathfinder-32: are the two dots joined by one path? 2 classes (generator = Linsley et al.)",
       load_pathfinder, generate_pathfinder, "Pathfinder", true, pathfinder_data_folder},
      {"pathx", "Path-X: Pathfinder at 128x128 (16384 pixels), 2 classes (generator = Linsley et al.)",
       load_pathfinder, generate_pathfinder, "Path-X", false, pathfinder_data_folder},
  };
  return tasks;
}

std::vector<std::string> default_table_tasks() {
  std::vector<std::string> names;
  for (const auto& entry : task_registry())
    if (entry.lra_column) names.push_back(entry.name);
  return names;
}

const TaskEntry& find_task(const std::string& name) {
  std::string known;
  for (const auto& entry : task_registry()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw UserError("unknown task '" + name + "' (known: " + known + ")");
}

namespace {

// The data must fit the config's vocabulary and classes, or the embedding / loss would index past
// their tables inside libtorch. Token ids run 1..vocab_size-3 (0 pads, vocab_size-2 is MASK, vocab_size-1 CLS).
void check_fits_config(const TaskSplits& splits, const nlohmann::json& task, const std::string& data_dir) {
  const int64_t vocab = task.at("vocab_size").get<int64_t>(), classes = task.at("classes").get<int64_t>();
  for (const auto& [name, data] : {std::pair<const char*, const Dataset*>{"train", &splits.train},
                                   {"val", &splits.val},
                                   {"test", &splits.test}}) {
    if (!data->tokens.empty()) {
      const int64_t top = *std::max_element(data->tokens.begin(), data->tokens.end());
      if (top >= vocab - 2)
        throw UserError("task.vocab_size = " + std::to_string(vocab) + " is too small for the " + name + " split in " +
                        data_dir + ": it holds token id " + std::to_string(top) +
                        " (ids run 1..vocab_size-3; vocab_size-2 is MASK, vocab_size-1 CLS); hint: --set task.vocab_size=" +
                        std::to_string(top + 3) + " or more, as the task file has it");
    }
    for (int32_t label : data->labels)
      if (label < 0 || label >= classes)
        throw UserError("task.classes = " + std::to_string(classes) + " does not cover the " + name + " split in " +
                        data_dir + ": it holds label " + std::to_string(label) + "; hint: --set task.classes=" +
                        std::to_string(label + 1) + " or more, as the task file has it");
  }
}

}  // namespace

std::string task_data_folder(const std::string& data_dir, const nlohmann::json& config) {
  const auto& task = config.at("task");
  const TaskEntry& entry = find_task(task.at("name").get<std::string>());
  return entry.data_folder ? entry.data_folder(data_dir, task) : data::task_folder(data_dir, task);
}

data::DataFingerprint task_data_fingerprint(const std::string& data_dir, const nlohmann::json& config) {
  return data::fingerprint_folder(task_data_folder(data_dir, config));
}

TaskSplits load_task(const std::string& data_dir, const nlohmann::json& config, SplitsToRead which) {
  const auto& task = config.at("task");
  TaskSplits splits = find_task(task.at("name").get<std::string>()).load(data_dir, task, which);
  check_fits_config(splits, task, data_dir);
  return splits;
}

}  // namespace lra
