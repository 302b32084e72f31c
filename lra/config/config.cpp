#include "lra/config/config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "core/atomic_file.h"
#include "lra/config/config_files.h"
#include "lra/config/config_ranges.h"
#include "core/errors.h"

namespace lra {
namespace fs = std::filesystem;

std::string default_config_dir() {
  if (const char* env = std::getenv("LRA_CONFIG_DIR"); env && *env) return env;
  // An installed lra (cmake --install: P/bin/lra) reads P/share/lra/configs; a build-tree one, its source's.
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "lra" / "configs";
    if (fs::is_directory(installed / "profiles", error)) return installed.string();
  }
  return std::string(LRA_SOURCE_DIR) + "/configs";
}

std::vector<std::string> list_config_names(const std::string& config_dir, const std::string& kind) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(config_dir) / kind, ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// Configs are a few levels deep; a limit keeps every recursive walk over them (merge, key paths,
// dump) far from the stack's end whatever a file holds.
constexpr int kMaxConfigDepth = 32;

bool within_depth(const Json& node, int depth) {
  if (!node.is_structured()) return true;
  if (depth > kMaxConfigDepth) return false;
  for (const auto& child : node)
    if (!within_depth(child, depth + 1)) return false;
  return true;
}

void check_depth(const Json& node, const std::string& source) {
  if (!within_depth(node, 1))
    throw UserError(source + ": nested deeper than " + std::to_string(kMaxConfigDepth) + " levels");
}

}  // namespace

Json load_json_file(const std::string& path) {
  std::string text = read_text_file(path);
  Json doc;
  try {
    doc = Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    // e.what() already says "at line L, column C"; it may quote the offending bytes, hence printable.
    std::string what = e.what();
    auto pos = what.find("parse error");
    throw UserError(path + ": bad JSON: " + printable(pos == std::string::npos ? what : what.substr(pos), 300));
  } catch (const Json::out_of_range& e) {  // a number too large for a double (found by fuzz_run_reports)
    throw UserError(path + ": bad JSON: " + printable(e.what(), 300));
  }
  check_depth(doc, path);
  return doc;
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string type_name(const Json& v) {
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

// An integer may stand where a number is expected; nothing else changes type.
bool same_type(const Json& expected, const Json& given) {
  if (expected.is_number_float()) return given.is_number();
  if (expected.is_number_integer()) return given.is_number_integer();
  if (expected.is_array() && given.is_array()) {
    if (expected.empty()) return true;
    return std::all_of(given.begin(), given.end(), [&](const Json& x) { return same_type(expected.front(), x); });
  }
  return expected.type() == given.type();
}

bool starts_with_prefix(const std::string& path, const std::vector<std::string>& prefixes) {
  for (const auto& prefix : prefixes)
    if (path.rfind(prefix + ".", 0) == 0) return true;
  return false;
}

void collect_paths(const Json& node, const std::string& prefix, std::vector<std::string>& out) {
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    out.push_back(path);
    collect_paths(it.value(), path, out);
  }
}

Json parse_typed_value(const std::string& key, const std::string& text, const Json& expected,
                       const std::string& expected_source) {
  auto fail = [&](const std::string& what) {
    return UserError("--set " + printable(key, 100) + "=" + printable(text, 100) + ": '" + printable(key, 100) +
                     "' expects " + what + " (as in " + expected_source + "), got '" + printable(text, 100) + "'");
  };
  try {
    if (expected.is_boolean()) {
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      throw fail("a boolean (true/false)");
    }
    if (expected.is_number_integer()) {
      size_t used = 0;
      long long v = std::stoll(text, &used);
      if (used != text.size()) throw fail("an integer");
      return v;
    }
    if (expected.is_number_float()) {
      size_t used = 0;
      double v = std::stod(text, &used);
      if (used != text.size()) throw fail("a number");
      if (!std::isfinite(v)) throw fail("a finite number");  // JSON has no NaN/inf: the report would say null
      return v;
    }
    if (expected.is_string()) return text;
    Json parsed = Json::parse(text);  // arrays and objects as JSON
    check_depth(parsed, "--set " + printable(key, 100));
    if (!same_type(expected, parsed)) throw fail(type_name(expected) + " of the same element type");
    return parsed;
  } catch (const std::invalid_argument&) {
    throw fail(type_name(expected));
  } catch (const std::out_of_range&) {
    throw fail(type_name(expected) + " in range");
  } catch (const Json::parse_error&) {
    throw fail(type_name(expected) + " written as JSON");
  } catch (const Json::out_of_range&) {
    throw fail(type_name(expected) + " in range");
  }
}

}  // namespace

std::string nearest_key(const std::string& path, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  const std::string head = path.substr(0, 100);  // edit distance is quadratic; keys are short
  for (const auto& candidate : candidates) {
    size_t d = edit_distance(head, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  return best;
}

LayeredConfig::LayeredConfig(Json defaults, std::string defaults_source) : value_(std::move(defaults)) {
  if (!value_.is_object()) throw UserError(defaults_source + ": the defaults must be a JSON object");
  for (const auto& path : key_paths()) sources_[path] = defaults_source;
}

std::vector<std::string> LayeredConfig::key_paths() const {
  std::vector<std::string> paths;
  collect_paths(value_, "", paths);
  return paths;
}

std::string LayeredConfig::source_of(const std::string& path) const {
  auto it = sources_.find(path);
  return it == sources_.end() ? "?" : it->second;
}

void LayeredConfig::apply(const Json& layer, const std::string& source, const std::vector<std::string>& open_prefixes) {
  if (!layer.is_object()) throw UserError(source + ": expected a JSON object at the top level");
  merge(value_, layer, "", source, open_prefixes);
}

void LayeredConfig::merge(Json& target, const Json& layer, const std::string& prefix, const std::string& source,
                          const std::vector<std::string>& open_prefixes) {
  for (auto it = layer.begin(); it != layer.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (!target.contains(it.key())) {
      if (!starts_with_prefix(path, open_prefixes))
        throw UserError(source + ": unknown key '" + printable(path, 100) + "' (nearest valid key: '" +
                        printable(nearest_key(path, key_paths()), 100) + "')");
      target[it.key()] = it.value();
      std::vector<std::string> added{path};
      collect_paths(it.value(), path, added);
      for (const auto& p : added) sources_[p] = source;
      continue;
    }
    Json& slot = target[it.key()];
    if (slot.is_object() && it.value().is_object()) {
      sources_[path] = source;
      merge(slot, it.value(), path, source, open_prefixes);
      continue;
    }
    if (!same_type(slot, it.value()))
      throw UserError(source + ": key '" + printable(path, 100) + "' must be " + type_name(slot) + " (as in " + source_of(path) +
                      "), got " + type_name(it.value()) + " " + printable(it.value().dump(), 60));
    slot = it.value().is_number_integer() && slot.is_number_float() ? Json(it.value().get<double>()) : it.value();
    sources_[path] = source;
  }
}

void LayeredConfig::apply_override(const std::string& assignment) {
  const std::string shown = printable(assignment, 200);
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UserError("--set '" + shown + "': expected key.path=value, e.g. --set train.lr=0.001");
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  // Walk the key path through objects only (a.b.c); an array is replaced whole, written as JSON.
  Json* slot = &value_;
  for (size_t start = 0;;) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!slot->is_object() || !slot->contains(part))
      throw UserError("--set " + shown + ": unknown key '" + printable(key, 100) + "' (nearest valid key: '" +
                      printable(nearest_key(key, key_paths()), 100) + "')");
    slot = &(*slot)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (slot->is_object())
    throw UserError("--set " + shown + ": '" + printable(key, 100) + "' is a section; set one of its keys" +
                    (slot->empty() ? "" : ", e.g. '" + printable(key, 100) + "." + printable(slot->begin().key(), 100) + "'"));
  if (slot->is_string() && printable(text, text.size()) != text)
    throw UserError("--set " + shown + ": '" + printable(key, 100) + "' expects printable UTF-8 text, got control bytes or bytes " +
                    "that are not UTF-8");
  *slot = parse_typed_value(key, text, *slot, source_of(key));
  // Errors quote the layer that set a key; JSON allows whitespace such as CR around a number, so the
  // assignment may hold control bytes and is kept escaped.
  sources_[key] = "--set " + shown;
}

std::vector<std::pair<std::string, ValueRange>> declared_ranges(const std::string& config_dir) {
  const std::string dir = config_dir.empty() ? default_config_dir() : config_dir;
  const Json defaults = load_json_file(dir + "/defaults.json");
  auto ranges = parse_ranges(defaults.contains("ranges") ? defaults["ranges"] : Json::object(), dir + "/defaults.json");
  for (const auto& name : list_config_names(dir, "models")) {
    const std::string file = config_file(dir, "models", name, "model");
    for (auto& range : split_model_layer(load_json_file(file), file).ranges) ranges.push_back(std::move(range));
  }
  return ranges;
}

Json resolve_config(const ConfigRequest& request, const Json& model_layer) {
  const std::string dir = request.config_dir.empty() ? default_config_dir() : request.config_dir;
  auto file_of = [&](const std::string& kind, const std::string& name, const char* what) {
    return config_file(dir, kind, name, what);
  };
  const std::string task_file = file_of("tasks", request.task, "task");
  const bool model_in_code = !model_layer.is_null();
  const std::string model_file =
      model_in_code ? "model '" + request.model + "' (its registry entry)" : file_of("models", request.model, "model");
  const std::string profile_file = file_of("profiles", request.profile, "profile");

  const std::string defaults_file = dir + "/defaults.json";
  Json defaults = load_json_file(defaults_file);
  if (!defaults.is_object()) throw UserError(defaults_file + ": expected a JSON object at the top level");
  // The "ranges" section declares valid values; it is not itself a config key.
  auto ranges = parse_ranges(defaults.contains("ranges") ? defaults["ranges"] : Json::object(), defaults_file);
  defaults.erase("ranges");
  LayeredConfig config(std::move(defaults), defaults_file);
  config.apply(load_json_file(task_file), task_file, {"task.data", "task.generate"});
  ModelLayer model = split_model_layer(model_in_code ? model_layer : load_json_file(model_file), model_file);
  for (auto& range : model.ranges) ranges.push_back(std::move(range));
  config.apply(model.layer, model_file, {"model.attention"});

  // A profile has sections: "all" (every cell), "tasks": {task: ...}, "models": {model: ...}, and
  // "seeds" (seeds per cell of run_all.sh; not part of a single run's config).
  const Json profile = load_profile(profile_file);
  if (profile.contains("all")) config.apply(profile["all"], profile_file + " (all)");
  if (profile.contains("tasks") && profile["tasks"].contains(request.task))
    config.apply(profile["tasks"][request.task], profile_file + " (tasks." + request.task + ")");
  if (profile.contains("models") && profile["models"].contains(request.model))
    config.apply(profile["models"][request.model], profile_file + " (models." + request.model + ")");
  if (model.profiles.contains(request.profile)) {
    // A model's profile layer may hold per-task layers under "tasks", applied after the rest.
    Json layer = model.profiles[request.profile];
    const Json per_task = layer.contains("tasks") ? layer["tasks"] : Json::object();
    layer.erase("tasks");
    const std::string where = model_file + " (profiles." + request.profile;
    config.apply(layer, where + ")");
    if (per_task.is_object() && per_task.contains(request.task))
      config.apply(per_task[request.task], where + ".tasks." + request.task + ")");
  }

  for (const auto& assignment : request.overrides) config.apply_override(assignment);

  Json resolved = config.value();
  for (const char* section : {"task", "model"})
    if (!resolved.contains(section) || !resolved[section].is_object())
      throw UserError(defaults_file + ": '" + section + "' must be a section (a JSON object)");
  resolved["task"]["name"] = request.task;
  resolved["model"]["name"] = request.model;
  resolved["profile"] = request.profile;
  validate_config(resolved, ranges, [&](const std::string& key) { return config.source_of(key); });
  return resolved;
}

std::string first_difference(const Json& a, const Json& b, const std::string& prefix) {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (!b.contains(it.key())) return path;
      std::string diff = first_difference(it.value(), b[it.key()], path);
      if (!diff.empty()) return diff;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return prefix.empty() ? it.key() : prefix + "." + it.key();
    return "";
  }
  return a == b ? "" : (prefix.empty() ? "(root)" : prefix);
}

}  // namespace lra
