#include "core/task_info.h"

#include "core/errors.h"

namespace lra {

TaskInfo task_info_from_config(const nlohmann::json& config) {
  const auto& t = config.at("task");
  TaskInfo info;
  info.name = t.at("name").get<std::string>();
  info.classes = t.at("classes").get<int64_t>();
  info.vocab_size = t.at("vocab_size").get<int64_t>();
  info.max_len = t.at("max_len").get<int64_t>();
  info.pair = t.at("pair").get<bool>();
  info.pooling = t.at("pooling").get<std::string>();
  if (info.classes < 2) throw UserError("task.classes must be >= 2, got " + std::to_string(info.classes));
  if (info.vocab_size < 4 || info.vocab_size > 65535)
    throw UserError("task.vocab_size must be in 4..65535 (pad, MASK, CLS and one symbol), got " + std::to_string(info.vocab_size));
  if (info.max_len < 2) throw UserError("task.max_len must be >= 2 (CLS + one token), got " + std::to_string(info.max_len));
  if (info.pooling != "cls" && info.pooling != "mean")
    throw UserError("task.pooling must be 'cls' or 'mean', got '" + info.pooling + "'");
  return info;
}

}  // namespace lra
