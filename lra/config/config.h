#pragma once
// Layered JSON configuration: defaults ⊕ task ⊕ model ⊕ profile ⊕ --set a.b.c=value.
//
// configs/defaults.json declares every key with its type (it is the schema). A layer may only
// replace keys that exist, with a value of the same type, except in the sections a layer owns:
// a task file may add keys under task.data / task.generate, a model file under model.attention.
// A model file also declares the ranges of its model.attention keys ("ranges") and its settings in
// named profiles ("profiles": {"smoke": layer, ...}, applied after the profile's own sections), so a
// variant's configuration is one file.
// Every error names the key path, the file it came from, and the nearest valid key.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lra {

using Json = nlohmann::json;

struct ConfigRequest {
  std::string task;
  std::string model;
  std::string profile = "paper";
  std::vector<std::string> overrides;  // "a.b.c=value", applied in order
  std::string config_dir;              // empty: default_config_dir()
};

// $LRA_CONFIG_DIR if set, else the configs/ folder of the source tree this binary was built from.
std::string default_config_dir();

// Names of the JSON files in configs/<kind>/ (kind = tasks, models, profiles), sorted.
std::vector<std::string> list_config_names(const std::string& config_dir, const std::string& kind);

// Parses a JSON file (// comments allowed); UserError with file, line and column on bad JSON.
Json load_json_file(const std::string& path);

// The resolved config. Also records task.name, model.name and profile. `model_layer`: the model's layer
// itself for a variant defined in code (ModelEntry::config); null: configs/models/<model>.json.
Json resolve_config(const ConfigRequest& request, const Json& model_layer = nullptr);

// A config being built layer by layer; remembers which file set each key.
class LayeredConfig {
 public:
  LayeredConfig(Json defaults, std::string defaults_source);

  // Merges `layer` (an object) into the config. Keys under one of `open_prefixes` may be new.
  void apply(const Json& layer, const std::string& source, const std::vector<std::string>& open_prefixes = {});

  // Applies one "a.b.c=value" override; the value is parsed as the type of the key it replaces.
  void apply_override(const std::string& assignment);

  const Json& value() const { return value_; }
  std::string source_of(const std::string& path) const;
  std::vector<std::string> key_paths() const;  // every object and leaf path

 private:
  void merge(Json& target, const Json& layer, const std::string& prefix, const std::string& source,
             const std::vector<std::string>& open_prefixes);
  Json value_;
  std::map<std::string, std::string> sources_;
};

// The first key path where two configs differ ("" when equal).
std::string first_difference(const Json& a, const Json& b, const std::string& prefix = "");

// The valid key closest to `path` by edit distance.
std::string nearest_key(const std::string& path, const std::vector<std::string>& candidates);

}  // namespace lra
