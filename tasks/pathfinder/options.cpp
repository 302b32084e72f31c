#include "tasks/pathfinder/options.h"

#include <set>

#include "core/errors.h"

namespace lra {

namespace {

using Json = nlohmann::json;

const Json& section(const Json& task_config, const std::string& name) {
  static const Json empty = Json::object();
  if (!task_config.is_object() || !task_config.contains(name)) return empty;
  const Json& s = task_config.at(name);
  if (!s.is_object()) throw UserError("task." + name + " must be an object");
  return s;
}

void reject_unknown(const Json& s, const std::string& prefix, const std::set<std::string>& known) {
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (known.count(it.key())) continue;
    std::string names;
    for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
    throw UserError("unknown key '" + prefix + "." + it.key() + "' for pathfinder (known: " + names + ")");
  }
}

long long integer(const Json& s, const std::string& prefix, const std::string& key, long long fallback, long long min) {
  if (!s.contains(key)) return fallback;
  const Json& v = s.at(key);
  if (!v.is_number_integer()) throw UserError("'" + prefix + "." + key + "' must be an integer, got " + v.dump());
  const long long value = v.get<long long>();
  if (value < min)
    throw UserError("'" + prefix + "." + key + "' must be >= " + std::to_string(min) + ", got " + std::to_string(value));
  return value;
}

std::string text(const Json& s, const std::string& prefix, const std::string& key) {
  if (!s.contains(key)) throw UserError("missing key '" + prefix + "." + key + "' (pathfinder needs it)");
  const Json& v = s.at(key);
  if (!v.is_string() || v.get<std::string>().empty())
    throw UserError("'" + prefix + "." + key + "' must be a non-empty string, got " + v.dump());
  return v.get<std::string>();
}

}  // namespace

PathfinderDataOptions pathfinder_data_options(const Json& task_config) {
  const Json& data = section(task_config, "data");
  reject_unknown(data, "task.data",
                 {"folder", "difficulty", "split_seed", "downsample", "resolution", "train_limit", "val_limit",
                  "test_limit"});
  PathfinderDataOptions o;
  o.folder = text(data, "task.data", "folder");
  o.difficulty = text(data, "task.data", "difficulty");
  o.split_seed = static_cast<uint64_t>(integer(data, "task.data", "split_seed", 42, 0));
  o.downsample = static_cast<int>(integer(data, "task.data", "downsample", 1, 1));
  o.resolution = static_cast<int>(integer(data, "task.data", "resolution", 0, 0));
  o.train_limit = static_cast<size_t>(integer(data, "task.data", "train_limit", 0, 0));
  o.val_limit = static_cast<size_t>(integer(data, "task.data", "val_limit", 0, 0));
  o.test_limit = static_cast<size_t>(integer(data, "task.data", "test_limit", 0, 0));
  if (o.resolution > 0 && o.resolution % o.downsample != 0)
    throw UserError("task.data.downsample " + std::to_string(o.downsample) + " must divide task.data.resolution " +
                    std::to_string(o.resolution));
  return o;
}

PathfinderGenerateOptions pathfinder_generate_options(const Json& task_config) {
  const Json& generate = section(task_config, "generate");
  reject_unknown(generate, "task.generate",
                 {"resolution", "difficulty", "count", "seed", "images_per_folder", "single_paddles", "distractor_snakes"});
  PathfinderGenerateOptions o;
  o.folder = text(section(task_config, "data"), "task.data", "folder");
  o.difficulty = text(generate, "task.generate", "difficulty");
  o.resolution = static_cast<int>(integer(generate, "task.generate", "resolution", 32, 1));
  o.count = static_cast<int>(integer(generate, "task.generate", "count", 0, 1));
  if (!generate.contains("count")) throw UserError("missing key 'task.generate.count' (pathfinder needs it)");
  o.images_per_folder = static_cast<int>(integer(generate, "task.generate", "images_per_folder", 1000, 1));
  o.distractor_snakes = static_cast<int>(integer(generate, "task.generate", "distractor_snakes", -1, 0));
  if (generate.contains("single_paddles")) {
    if (!generate.at("single_paddles").is_boolean())
      throw UserError("'task.generate.single_paddles' must be true or false, got " + generate.at("single_paddles").dump());
    o.single_paddles = generate.at("single_paddles").get<bool>();
  }
  return o;
}

}  // namespace lra
