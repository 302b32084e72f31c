#pragma once
// What the runner and the models know about a task: read from the resolved config's task section.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace lra {

struct TaskInfo {
  std::string name;
  int64_t classes = 2;
  int64_t vocab_size = 259;  // including pad (0), MASK (vocab_size - 2) and CLS (vocab_size - 1)
  int64_t max_len = 1025;    // tokens per document including CLS
  bool pair = false;         // two documents per example
  std::string pooling = "cls";

  static constexpr int64_t pad_id() { return 0; }
  int64_t mask_id() const { return vocab_size - 2; }  // self-pretraining's corruption token
  int64_t cls_id() const { return vocab_size - 1; }
};

// From the resolved config (reads config["task"]); throws UserError on inconsistent values.
TaskInfo task_info_from_config(const nlohmann::json& config);

}  // namespace lra
