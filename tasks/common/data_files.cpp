#include "tasks/common/data_files.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace lra::data {
namespace fs = std::filesystem;

std::string regenerate_hint(const std::string& task, const std::string& data_dir) {
  return "regenerate with 'lra data generate --task " + task + " --data-dir " + data_dir +
         "', or point --data-dir at the unpacked LRA release";
}

void fail(const std::string& where, const std::string& what, const std::string& hint) {
  // File names are data too (a fuzzed aclImdb folder had control bytes in one): escaped like contents.
  const std::string message = where + ": " + what + (hint.empty() ? "" : " (hint: " + hint + ")");
  throw UserError(printable(message, message.size()));
}

namespace {

const Json& lookup(const Json& task, const char* section, const char* key) {
  const std::string path = std::string("task.") + section + "." + key;
  if (!task.contains(section) || !task.at(section).is_object() || !task.at(section).contains(key))
    throw UserError("config key '" + path + "' is missing (set it in configs/tasks/*.json or with --set " + path +
                    "=...)");
  return task.at(section).at(key);
}

std::string key_path(const char* section, const char* key) { return std::string("task.") + section + "." + key; }

}  // namespace

int64_t get_int(const Json& task, const char* section, const char* key) {
  const Json& v = lookup(task, section, key);
  if (!v.is_number_integer()) throw UserError("config key '" + key_path(section, key) + "' must be an integer, got " + v.dump());
  return v.get<int64_t>();
}

double get_number(const Json& task, const char* section, const char* key) {
  const Json& v = lookup(task, section, key);
  if (!v.is_number()) throw UserError("config key '" + key_path(section, key) + "' must be a number, got " + v.dump());
  return v.get<double>();
}

std::string get_string(const Json& task, const char* section, const char* key) {
  const Json& v = lookup(task, section, key);
  if (!v.is_string()) throw UserError("config key '" + key_path(section, key) + "' must be a string, got " + v.dump());
  return v.get<std::string>();
}

bool has_key(const Json& task, const char* section, const char* key) {
  return task.contains(section) && task.at(section).is_object() && task.at(section).contains(key);
}

std::string task_folder(const std::string& data_dir, const Json& task) {
  return (fs::path(data_dir) / get_string(task, "data", "folder")).string();
}

size_t max_document_tokens(const Json& task) {
  const int64_t max_len = task.at("max_len").get<int64_t>();
  if (max_len < 2) throw UserError("task.max_len must be >= 2 (CLS + one token), got " + std::to_string(max_len));
  return static_cast<size_t>(max_len - 1);
}

void require_folder(const std::string& path, const std::string& hint) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) fail(path, fs::exists(path, ec) ? "is not a folder" : "folder not found", hint);
}

void require_file(const std::string& path, const std::string& hint) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail(path, fs::exists(path, ec) ? "is not a regular file" : "file not found", hint);
}

void for_each_line(const std::string& path, const std::string& hint, size_t max_line_bytes,
                   const std::function<void(int64_t, const std::string&)>& on_line) {
  require_file(path, hint);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno), hint);
  if (in.peek() == std::ifstream::traits_type::eof()) fail(path, "empty file (0 bytes)", hint);
  std::vector<char> chunk(1 << 16);
  std::string line;
  int64_t number = 0;
  auto emit = [&] {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    on_line(number, line);
    line.clear();
  };
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const size_t got = static_cast<size_t>(in.gcount());
    for (size_t start = 0; start < got;) {
      const char* newline = static_cast<const char*>(std::memchr(chunk.data() + start, '\n', got - start));
      const size_t end = newline ? static_cast<size_t>(newline - chunk.data()) : got;
      if (line.size() + (end - start) > max_line_bytes)
        fail(path + ":" + std::to_string(number + 1),
             "line is longer than " + std::to_string(max_line_bytes) + " bytes (not a row of this format)", hint);
      line.append(chunk.data() + start, end - start);
      if (!newline) break;
      emit();
      start = end + 1;
    }
  }
  if (in.bad()) fail(path + ":" + std::to_string(number + 1), "read error", hint);
  if (!line.empty()) emit();  // a last line without '\n'
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> columns;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    columns.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return columns;
    start = tab + 1;
  }
}

std::string read_bytes(const std::string& path, const std::string& hint) {
  require_file(path, hint);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno), hint);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(path, "read error", hint);
  return buffer.str();
}

std::string read_prefix(const std::string& path, size_t max_bytes, const std::string& hint) {
  require_file(path, hint);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno), hint);
  std::string bytes(max_bytes, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(max_bytes));
  if (in.bad()) fail(path, "read error", hint);
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

void apply_limits(TaskSplits& splits, const Json& task) {
  splits.train.truncate(static_cast<size_t>(get_int(task, "data", "train_limit")));
  splits.val.truncate(static_cast<size_t>(get_int(task, "data", "val_limit")));
  splits.test.truncate(static_cast<size_t>(get_int(task, "data", "test_limit")));
}

std::string provenance_json(const std::string& folder, const std::string& data_dir) {
  const std::string described = (fs::path(folder) / "DATASET.json").string();
  Json provenance;
  std::error_code ec;
  if (fs::is_regular_file(described, ec)) {
    const std::string text = read_text_file(described);
    try {
      provenance = Json::parse(text);
    } catch (const Json::parse_error& e) {
      throw UserError(described + ": bad JSON (" + e.what() + ") (hint: regenerate the folder or delete the file)");
    }
    if (!provenance.is_object()) throw UserError(described + ": expected a JSON object");
  } else {
    provenance = {{"source", "official LRA release layout"}, {"substitute", false}};
  }
  provenance["data_dir"] = data_dir;
  provenance["folder"] = fs::path(folder).filename().string();
  return provenance.dump(-1, ' ', false, Json::error_handler_t::replace);
}

StagingFolder::StagingFolder(const std::string& data_dir, const std::string& name) {
  target_ = (fs::path(data_dir) / name).string();
  staging_ = (fs::path(data_dir) / ("." + name + ".partial." + std::to_string(::getpid()))).string();
  std::error_code ec;
  fs::remove_all(staging_, ec);
  fs::create_directories(staging_, ec);
  if (ec) throw UserError("cannot create " + staging_ + ": " + ec.message());
}

StagingFolder::~StagingFolder() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void StagingFolder::commit(const Json& dataset_json) {
  write_json_atomically((fs::path(staging_) / "DATASET.json").string(), dataset_json);
  std::error_code ec;
  fs::remove_all(target_, ec);
  if (ec) throw UserError("cannot replace " + target_ + ": " + ec.message());
  fs::rename(staging_, target_, ec);
  if (ec) throw UserError("cannot move " + staging_ + " to " + target_ + ": " + ec.message());
  committed_ = true;
}

Json dataset_json(const std::string& source, const std::string& generator, const Json& parameters, uint64_t seed,
                  const Json& counts, bool substitute, const std::string& description) {
  return Json{{"source", source},       {"generator", generator},   {"parameters", parameters}, {"seed", seed},
              {"counts", counts},       {"substitute", substitute}, {"description", description}};
}

std::string read_gzip(const std::string& path, size_t max_bytes, const std::string& hint) {
  require_file(path, hint);
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) fail(path, "cannot open", hint);
  std::string bytes;
  char buffer[1 << 16];
  int n = 0;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0) {
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > max_bytes) {
      gzclose(file);
      fail(path, "unpacks to more than " + std::to_string(max_bytes >> 20) + " MiB", hint);
    }
  }
  int error = Z_OK;
  const std::string message = n < 0 ? gzerror(file, &error) : "";
  gzclose(file);
  if (n < 0) fail(path, "gzip error: " + message, hint);
  return bytes;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw UserError("cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace lra::data

namespace lra::data {

Dataset subset(const Dataset& from, const std::vector<size_t>& picked) {
  Dataset out;
  out.docs_per_example = from.docs_per_example;
  const size_t per = static_cast<size_t>(from.docs_per_example);
  for (size_t example : picked) {
    for (size_t d = example * per; d < (example + 1) * per; ++d)
      out.add_document(from.document(d), static_cast<size_t>(from.document_length(d)));
    out.add_label(from.labels[example], from.ids[example]);
  }
  return out;
}

}  // namespace lra::data
