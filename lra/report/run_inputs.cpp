#include "lra/report/run_inputs.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/sha256.h"
#include "lra/runtime/provenance.h"
#include "models/registry.h"
#include "tasks/registry.h"

namespace lra {

namespace fs = std::filesystem;

namespace {

const char* const kKinds[] = {kInputConfig, kInputData, kInputModel, kInputCommit};

// The value at a first_difference path ("train.lr"), quoted for one line; "(absent)" when missing.
std::string value_at(const Json& doc, const std::string& path) {
  if (path == "(root)") return printable(doc.dump(), 80);
  std::string pointer;
  std::istringstream keys(path);
  for (std::string key; std::getline(keys, key, '.');) pointer += "/" + key;
  const Json::json_pointer at(pointer);
  return doc.contains(at) ? printable(doc.at(at).dump(), 80) : "(absent)";
}

const Json& member(const Json& doc, const char* key) {
  static const Json null;
  return doc.is_object() && doc.contains(key) ? doc[key] : null;
}

std::string text_of(const Json& value) { return value.is_string() ? value.get<std::string>() : ""; }

std::string config_change(const Json& recorded_config, const Json& recorded_inputs, const Json& config_now) {
  if (recorded_config.is_object()) {
    const std::string difference = first_difference_text(recorded_config, config_now);
    return difference.empty() ? "" : "config " + difference;
  }
  const std::string recorded = text_of(member(recorded_inputs, "config_sha256"));
  if (recorded.empty()) return "the config is not recorded";
  return recorded == config_sha256(config_now) ? "" : "the config's SHA-256 was " + recorded.substr(0, 12) +
                                                         ", now " + config_sha256(config_now).substr(0, 12);
}

std::string data_change(const Json& recorded_inputs, const Json& inputs_now) {
  const Json& was = member(recorded_inputs, "data");
  if (!was.is_object() || !was.contains("sha256"))
    return "no data fingerprint is recorded (written by an lra before inputs were pinned)";
  const Json& now = member(inputs_now, "data");
  const std::string difference = data::fingerprint_difference(was, now);
  if (difference.empty()) return "";
  return text_of(member(now, "folder")) + ": " + difference;
}

std::string model_change(const Json& recorded_inputs, const Json& inputs_now) {
  const Json& was = member(recorded_inputs, "model_source");
  const Json& now = member(inputs_now, "model_source");
  if (recorded_inputs.is_object() && !recorded_inputs.contains("model_source"))
    return "no model source is recorded";
  if (was.is_null() && now.is_null()) return "";  // built-in models: their code is the commit
  const std::string was_sha = text_of(member(was, "sha256")), now_sha = text_of(member(now, "sha256"));
  if (was_sha == now_sha) return "";
  const std::string file = text_of(member(now, "file")).empty() ? text_of(member(was, "file")) : text_of(member(now, "file"));
  return file + " has SHA-256 " + (now_sha.empty() ? "(none)" : now_sha.substr(0, 12)) + ", the run used " +
         (was_sha.empty() ? "(none)" : was_sha.substr(0, 12));
}

std::string commit_change(const Json& recorded_inputs, const Json& inputs_now) {
  const std::string was = text_of(member(recorded_inputs, "lra_commit"));
  const std::string now = text_of(member(inputs_now, "lra_commit"));
  if (was.empty()) return "the lra commit is not recorded";
  return was == now ? "" : "lra commit " + was + ", this binary is " + now;
}

}  // namespace

std::string config_sha256(const Json& config) { return sha256_hex(config.dump()); }

std::string first_difference_text(const Json& was, const Json& now) {
  const std::string path = first_difference(was, now);
  if (path.empty()) return "";
  return "key " + path + " was " + value_at(was, path) + ", now " + value_at(now, path);
}

Json current_inputs(const Json& config, const std::string& data_dir, const std::string& resolved_config_sha256) {
  const std::string own = config_sha256(config);
  Json model_source = nullptr;
  if (const ModelEntry* entry = find_model_or_null(config.at("model").at("name").get<std::string>());
      entry && !entry->source.is_null()) {
    // Hashed now, not taken from the entry: the registry keeps a script entry for the process's lifetime.
    const std::string file = entry->source.value("file", "");
    model_source = {{"file", file}, {"sha256", file_sha256(file)}};
  }
  return {{"config_sha256", own},
          {"resolved_config_sha256", resolved_config_sha256.empty() ? own : resolved_config_sha256},
          {"data", task_data_fingerprint(data_dir, config).to_json()},
          {"model_source", model_source},
          {"lra_commit", lra_git_commit()}};
}

std::vector<InputChange> changed_inputs(const Json& recorded_config, const Json& recorded_inputs,
                                        const Json& config_now, const Json& inputs_now,
                                        const std::set<std::string>& compared) {
  std::vector<InputChange> changes;
  auto add = [&](const char* input, const std::string& what) {
    if (compared.count(input) && !what.empty()) changes.push_back({input, what});
  };
  add(kInputConfig, config_change(recorded_config, recorded_inputs, config_now));
  add(kInputData, data_change(recorded_inputs, inputs_now));
  add(kInputModel, model_change(recorded_inputs, inputs_now));
  add(kInputCommit, commit_change(recorded_inputs, inputs_now));
  return changes;
}

std::set<std::string> parse_accepted_changes(const std::string& list) {
  std::set<std::string> accepted;
  std::istringstream items(list);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.empty()) continue;
    bool known = false;
    for (const char* kind : kKinds) known = known || item == kind;
    if (!known)
      throw UserError("--accept-changed " + printable(list, 80) + ": '" + printable(item, 40) +
                      "' is not an input; hint: name any of config, data, model, commit (comma-separated)");
    accepted.insert(item);
  }
  return accepted;
}

std::vector<InputChange> refuse_unless_accepted(const std::vector<InputChange>& changes,
                                                const std::set<std::string>& accepted, Json& record) {
  std::vector<InputChange> refused;
  for (const auto& change : changes) {
    if (!accepted.count(change.input)) {
      refused.push_back(change);
      continue;
    }
    if (!record.is_array()) record = Json::array();
    const Json entry = {{"input", change.input}, {"what", change.what}};
    if (std::find(record.begin(), record.end(), entry) == record.end()) record.push_back(entry);
  }
  return refused;
}

std::string describe_changes(const std::vector<InputChange>& changes) {
  std::string line;
  for (const auto& change : changes)
    line += (line.empty() ? "the " : "; the ") + change.input + " differs: " + change.what;
  return line;
}

std::string kept_model_source_path(const std::string& run_folder, const std::string& sha256) {
  return (fs::path(run_folder) / "model-source" / (sha256 + ".pt")).string();
}

std::string kept_model_source_for_checkpoint(const std::string& checkpoint_path, const std::string& sha256) {
  const fs::path run_folder = fs::path(checkpoint_path).parent_path().parent_path().parent_path();
  return kept_model_source_path(run_folder.empty() ? "." : run_folder.string(), sha256);
}

void keep_model_source(const std::string& run_folder, const Json& model_source) {
  const std::string file = model_source.at("file").get<std::string>();
  const std::string sha256 = model_source.at("sha256").get<std::string>();
  const std::string copy = kept_model_source_path(run_folder, sha256);
  std::error_code error;
  if (fs::exists(copy, error)) return;
  write_atomically(copy, [&](const std::string& temp) {
    fs::copy_file(file, temp, fs::copy_options::overwrite_existing);
    if (file_sha256(temp) != sha256)
      throw UserError(file + " changed while the run started (its SHA-256 is no longer " + sha256.substr(0, 12) +
                      "); hint: start the run again");
  });
}

std::string accept_flag_for(const std::vector<InputChange>& changes) {
  std::string kinds;
  for (const auto& change : changes) kinds += (kinds.empty() ? "" : ",") + change.input;
  return "--accept-changed " + kinds;
}

}  // namespace lra
