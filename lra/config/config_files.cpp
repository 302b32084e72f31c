// The files of a config folder: one found by name, a profile's sections, a model file's parts.
#include "lra/config/config_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/errors.h"

namespace lra {
namespace fs = std::filesystem;

std::string config_file(const std::string& dir, const std::string& kind, const std::string& name, const char* what) {
  const bool plain = !name.empty() && name[0] != '.' && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  std::string path = dir + "/" + kind + "/" + name + ".json";
  std::error_code error;
  if (!plain || !fs::is_regular_file(path, error)) {
    std::string known;
    for (const auto& n : list_config_names(dir, kind)) known += (known.empty() ? "" : ", ") + n;
    throw UserError(std::string("unknown ") + what + " '" + printable(name, 100) + "' (known: " + known +
                    "; files in " + dir + "/" + kind + "/)");
  }
  return path;
}

Json load_profile(const std::string& profile_file) {
  Json profile = load_json_file(profile_file);
  if (!profile.is_object()) throw UserError(profile_file + ": expected a JSON object at the top level");
  for (auto it = profile.begin(); it != profile.end(); ++it) {
    const std::string& section = it.key();
    if (section != "description" && section != "seeds" && section != "all" && section != "tasks" &&
        section != "models" && section != "extra_cells")
      throw UserError(profile_file + ": unknown section '" + printable(section, 100) +
                      "' (valid: description, seeds, all, tasks, models, extra_cells)");
    if ((section == "tasks" || section == "models") && !it.value().is_object())
      throw UserError(profile_file + ": section '" + section + "' must be an object {name: layer}");
    if (section == "seeds" && (!it.value().is_number_integer() || it.value().get<int64_t>() < 1 ||
                               it.value().get<int64_t>() > 1000))
      throw UserError(profile_file + ": 'seeds' must be an integer in [1, 1000] (seeds per cell of run_all.sh)");
  }
  return profile;
}

ModelLayer split_model_layer(Json layer, const std::string& model_file) {
  if (!layer.is_object()) throw UserError(model_file + ": expected a JSON object at the top level");
  ModelLayer model;
  if (layer.contains("ranges")) {
    model.ranges = parse_ranges(layer["ranges"], model_file);
    for (const auto& [key, range] : model.ranges)
      if (key.rfind("model.attention.", 0) != 0)
        throw UserError(model_file + ": ranges." + printable(key, 100) +
                        ": a model file declares ranges of its own model.attention.* keys only (the others are "
                        "in defaults.json)");
    layer.erase("ranges");
  }
  if (layer.contains("profiles")) {
    model.profiles = layer["profiles"];
    if (!model.profiles.is_object())
      throw UserError(model_file + ": 'profiles' must be an object {profile: layer}");
    for (auto it = model.profiles.begin(); it != model.profiles.end(); ++it)
    {
      if (!it.value().is_object())
        throw UserError(model_file + ": profiles." + printable(it.key(), 100) + " must be a layer (a JSON object)");
      const Json& layer = it.value();
      if (layer.contains("tasks") && (!layer["tasks"].is_object() ||
                                      std::any_of(layer["tasks"].begin(), layer["tasks"].end(),
                                                  [](const Json& t) { return !t.is_object(); })))
        throw UserError(model_file + ": profiles." + printable(it.key(), 100) +
                        ".tasks must be an object {task: layer}");
    }
    layer.erase("profiles");
  }
  model.layer = std::move(layer);
  return model;
}

int profile_seeds(const std::string& config_dir, const std::string& profile_name) {
  const std::string dir = config_dir.empty() ? default_config_dir() : config_dir;
  const Json profile = load_profile(config_file(dir, "profiles", profile_name, "profile"));
  return profile.contains("seeds") ? profile["seeds"].get<int>() : 1;
}

std::vector<ExtraCell> profile_extra_cells(const std::string& config_dir, const std::string& profile_name) {
  const std::string dir = config_dir.empty() ? default_config_dir() : config_dir;
  const std::string file = config_file(dir, "profiles", profile_name, "profile");
  const Json profile = load_profile(file);
  std::vector<ExtraCell> cells;
  if (!profile.contains("extra_cells")) return cells;
  const Json& list = profile["extra_cells"];
  const std::string form = " (form: [{\"task\": T, \"model\": M, \"seeds\": K}, ...])";
  if (!list.is_array()) throw UserError(file + ": 'extra_cells' must be a list" + form);
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& e = list[i];
    const std::string where = file + ": extra_cells[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("task") || !e.contains("model") || !e["task"].is_string() ||
        !e["model"].is_string())
      throw UserError(where + " needs a string 'task' and 'model'" + form);
    for (auto it = e.begin(); it != e.end(); ++it)
      if (it.key() != "task" && it.key() != "model" && it.key() != "seeds")
        throw UserError(where + ": unknown key '" + printable(it.key(), 100) + "'" + form);
    ExtraCell cell{e["task"].get<std::string>(), e["model"].get<std::string>(), 1};
    if (e.contains("seeds")) {
      if (!e["seeds"].is_number_integer() || e["seeds"].get<int64_t>() < 1 || e["seeds"].get<int64_t>() > 1000)
        throw UserError(where + ": 'seeds' must be an integer in [1, 1000]");
      cell.seeds = e["seeds"].get<int>();
    }
    cells.push_back(cell);
  }
  return cells;
}

std::vector<std::string> profile_tasks(const std::string& config_dir, const std::string& profile_name) {
  const std::string dir = config_dir.empty() ? default_config_dir() : config_dir;
  const Json profile = load_profile(config_file(dir, "profiles", profile_name, "profile"));
  std::vector<std::string> names;
  if (profile.contains("tasks"))
    for (auto it = profile["tasks"].begin(); it != profile["tasks"].end(); ++it) names.push_back(it.key());
  return names;
}

}  // namespace lra
