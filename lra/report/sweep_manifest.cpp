#include "lra/report/sweep_manifest.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace lra {
namespace fs = std::filesystem;

namespace {

constexpr int kFields = 10;
const char* const kRegenerate = "write it again with ./run_all.sh (or lra plan --manifest)";

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) fields.push_back(field);
  if (!line.empty() && line.back() == '\t') fields.emplace_back();
  return fields;
}

bool parse_int(const std::string& text, int& value) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  value = std::stoi(text);
  return true;
}

bool is_sha256(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A run folder stays inside the sweep folder: relative, without "..".
bool is_inside(const std::string& folder) {
  const fs::path p(folder);
  if (folder.empty() || p.is_absolute()) return false;
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

}  // namespace

std::string manifest_path(const std::string& sweep_folder) {
  return (fs::path(sweep_folder) / "sweep" / "manifest.tsv").string();
}

std::string sweep_folder_of(const std::string& path) {
  const fs::path folder = fs::path(path).parent_path().parent_path();
  return folder.empty() ? "." : folder.string();
}

std::string model_folder_name(const std::string& model) {
  std::string folder = model;
  for (char& c : folder)
    if (c == '/' || c == ':') c = '_';
  return folder;
}

std::string planned_config_path(const std::string& manifest_path, const std::string& config_sha256) {
  return (fs::path(manifest_path).parent_path() / "configs" / (config_sha256 + ".json")).string();
}

std::string run_folder_for(const std::string& task, const std::string& model, int seed, const std::string& protocol) {
  const std::string kind = protocol == "spt" ? "spt-seed-" : "seed-";
  return task + "/" + model_folder_name(model) + "/" + kind + std::to_string(seed);
}

std::string pretrain_folder_for(const SweepRun& run) {
  return run.task + "/" + model_folder_name(run.model) + "/pretrain-seed-" + std::to_string(run.seed);
}

std::string manifest_text(const std::vector<SweepRun>& runs) {
  std::ostringstream out;
  out << kManifestHeader << "\n";
  for (const auto& r : runs)
    out << r.index << '\t' << r.task << '\t' << r.model << '\t' << r.seed << '\t' << r.protocol << '\t'
        << r.run_folder << '\t' << r.config_sha256 << '\t' << r.profile << '\t' << r.precision << '\t' << r.data_dir
        << "\n";
  return out.str();
}

void write_manifest(const std::string& path, const std::vector<SweepRun>& runs) {
  std::set<std::string> folders;
  for (const auto& r : runs) {
    for (const std::string* field : {&r.task, &r.model, &r.run_folder, &r.profile, &r.precision, &r.data_dir})
      if (field->find_first_of("\t\r\n") != std::string::npos)
        throw UserError("manifest " + path + ": '" + printable(*field) +
                        "' holds a tab or a line break; hint: rename the folder or model file");
    if (!folders.insert(r.run_folder).second)
      throw UserError("manifest " + path + ": two runs write " + printable(r.run_folder) +
                      "; hint: list each task, model and seed once");
  }
  write_text_atomically(path, manifest_text(runs));
}

std::vector<SweepRun> read_manifest(const std::string& path) {
  if (!fs::is_regular_file(path))
    throw UserError("manifest " + path + ": no such file; hint: " + kRegenerate);
  std::istringstream in(read_text_file(path));
  std::vector<SweepRun> runs;
  std::set<std::string> folders;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    if (line_number == 1) {
      if (line != kManifestHeader)
        throw UserError(where + "not a sweep manifest (the first line is not its header: index, task, model, seed, "
                        "protocol, run_folder, config_sha256, profile, precision, data_dir, separated by tabs); hint: " +
                        kRegenerate);
      continue;
    }
    const auto f = split_tabs(line);
    if (static_cast<int>(f.size()) != kFields)
      throw UserError(where + std::to_string(f.size()) + " tab-separated fields, expected " + std::to_string(kFields) +
                      "; hint: " + kRegenerate);
    // Fields name folders, models and tasks in reports and JSON: one printable UTF-8 line each.
    for (size_t i = 0; i < f.size(); ++i)
      if (printable(f[i], f[i].size()) != f[i])
        throw UserError(where + "field " + std::to_string(i + 1) + " ('" + printable(f[i]) +
                        "') holds a control byte or bytes that are not UTF-8; hint: " + kRegenerate);
    SweepRun r;
    if (!parse_int(f[0], r.index) || r.index != static_cast<int>(runs.size()))
      throw UserError(where + "index '" + printable(f[0]) + "', expected " + std::to_string(runs.size()) +
                      " (lines are numbered from 0 in order); hint: " + kRegenerate);
    r.task = f[1];
    r.model = f[2];
    if (!parse_int(f[3], r.seed)) throw UserError(where + "seed '" + printable(f[3]) + "' is not a number");
    r.protocol = f[4];
    if (r.protocol != "scratch" && r.protocol != "spt")
      throw UserError(where + "protocol '" + printable(f[4]) + "', expected scratch or spt");
    r.run_folder = f[5];
    if (!is_inside(r.run_folder))
      throw UserError(where + "run folder '" + printable(f[5]) + "' is not a relative path inside the sweep folder");
    if (!folders.insert(r.run_folder).second)
      throw UserError(where + "run folder " + printable(r.run_folder) + " is written by an earlier line as well");
    r.config_sha256 = f[6];
    if (!is_sha256(r.config_sha256))
      throw UserError(where + "config_sha256 '" + printable(f[6]) + "' is not 64 hex digits");
    r.profile = f[7];
    r.precision = f[8];
    r.data_dir = f[9];
    for (const std::string* field : {&r.task, &r.model, &r.profile, &r.precision, &r.data_dir})
      if (field->empty()) throw UserError(where + "an empty field; hint: " + kRegenerate);
    runs.push_back(r);
  }
  if (line_number == 0) throw UserError("manifest " + path + ": empty; hint: " + kRegenerate);
  return runs;
}

std::vector<SweepRun> manifest_shard(const std::vector<SweepRun>& runs, int shard, int shards) {
  if (shards < 1 || shard < 1 || shard > shards)
    throw UserError("--shard " + std::to_string(shard) + "/" + std::to_string(shards) +
                    ": expected i/N with 1 <= i <= N (shard 1/4 .. 4/4)");
  std::vector<SweepRun> picked;
  for (size_t i = static_cast<size_t>(shard - 1); i < runs.size(); i += static_cast<size_t>(shards))
    picked.push_back(runs[i]);
  return picked;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  int shard = 0, shards = 0;
  if (slash == std::string::npos || !parse_int(text.substr(0, slash), shard) ||
      !parse_int(text.substr(slash + 1), shards))
    throw UserError("--shard '" + printable(text) + "': expected i/N, e.g. 2/4 (the second of four shards)");
  manifest_shard({}, shard, shards);  // checks the range
  return {shard, shards};
}

}  // namespace lra
