// The task table: one explicit line per task (a static library drops self-registering objects).
#include "tasks/registry.h"

#include "lra/errors.h"
#include "tasks/image/image.h"
#include "tasks/listops/listops.h"
#include "tasks/pathfinder/pathfinder.h"
#include "tasks/retrieval/retrieval.h"
#include "tasks/text/text.h"

namespace lra {

const std::vector<TaskEntry>& task_registry() {
  static const std::vector<TaskEntry> tasks{
      {"listops", "ListOps: nested MIN/MAX/MED/SM expressions, 10 classes (generator = the LRA algorithm)",
       load_listops, generate_listops},
      {"text", "Text: IMDB reviews as bytes, 2 classes (generator = a synthetic substitute: scattered cue words)",
       load_text, generate_text},
      {"retrieval",
       "Retrieval: AAN document pairs as bytes, 2 classes (generator = a synthetic substitute: shared latent topic)",
       load_retrieval, generate_retrieval},
      {"image", "Image: CIFAR-10 as 1024 grayscale pixels, 10 classes (generator = Fashion-MNIST as a substitute)",
       load_image, generate_image},
      {"pathfinder", "Pathfinder-32: are the two dots joined by one path? 2 classes (generator = Linsley et al.)",
       load_pathfinder, generate_pathfinder},
      {"pathx", "Path-X: Pathfinder at 128x128 (16384 pixels), 2 classes (generator = Linsley et al.)",
       load_pathfinder, generate_pathfinder},
  };
  return tasks;
}

const TaskEntry& find_task(const std::string& name) {
  std::string known;
  for (const auto& entry : task_registry()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw UserError("unknown task '" + name + "' (known: " + known + ")");
}

TaskSplits load_task(const std::string& data_dir, const nlohmann::json& config) {
  const auto& task = config.at("task");
  return find_task(task.at("name").get<std::string>()).load(data_dir, task);
}

}  // namespace lra
