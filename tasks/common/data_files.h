#pragma once
// What every task loader and generator shares: one-line UserErrors that say where (file:line or
// file:byte), what was expected and how to fix it; typed reads of task.data.* / task.generate.*;
// provenance (DATASET.json); split limits; and a staging folder so a generator never leaves a
// half-written dataset behind.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "tasks/dataset.h"

namespace lra::data {

using Json = nlohmann::json;

// "regenerate with 'lra data generate --task T --data-dir D', or point --data-dir at the LRA release".
std::string regenerate_hint(const std::string& task, const std::string& data_dir);

// Throws UserError "<where>: <what> (hint: <hint>)", non-printable bytes escaped (printable()). where is
// "file:line", "file:byte N" or a path.
[[noreturn]] void fail(const std::string& where, const std::string& what, const std::string& hint);

// task.<section>.<key> (section: "data" or "generate"); UserError naming the key path when it is
// missing or of the wrong type.
int64_t get_int(const Json& task, const char* section, const char* key);
double get_number(const Json& task, const char* section, const char* key);
std::string get_string(const Json& task, const char* section, const char* key);
bool has_key(const Json& task, const char* section, const char* key);

// <data_dir>/<task.data.folder>
std::string task_folder(const std::string& data_dir, const Json& task);

// Tokens stored per document: task.max_len - 1 (the batcher prepends CLS and keeps max_len tokens, so
// anything longer is never seen; cutting at load keeps memory proportional to what is used).
size_t max_document_tokens(const Json& task);

// Files and folders that must exist; UserError with the hint otherwise.
void require_folder(const std::string& path, const std::string& hint);
void require_file(const std::string& path, const std::string& hint);

// Calls on_line(line_number, line) for every line of a text file (1-based, without '\n' or a
// trailing '\r'). Errors: missing file, empty file (0 bytes), a line longer than max_line_bytes
// (reported before it is held in memory: a file without newlines is not a TSV).
void for_each_line(const std::string& path, const std::string& hint, size_t max_line_bytes,
                   const std::function<void(int64_t line_number, const std::string& line)>& on_line);

// Quoting file content in an error message (core/errors.h).
using lra::printable;

// Splits on '\t' (no quoting, as in the LRA TSV files).
std::vector<std::string> split_tabs(const std::string& line);

// The whole file as bytes; UserError when it cannot be read.
std::string read_bytes(const std::string& path, const std::string& hint);

// The decompressed contents of a .gz file (a file that is not gzip'd is read as it is); UserError when
// it cannot be read, is corrupt, or unpacks to more than max_bytes.
std::string read_gzip(const std::string& path, size_t max_bytes, const std::string& hint);

// The first max_bytes bytes of a file (all of it when shorter); UserError when it cannot be read.
std::string read_prefix(const std::string& path, size_t max_bytes, const std::string& hint);

// Applies task.data.{train,val,test}_limit.
void apply_limits(TaskSplits& splits, const Json& task);

// The folder's DATASET.json (plus data_dir) when present, else a description of the official layout.
std::string provenance_json(const std::string& folder, const std::string& data_dir);

// Writes a generated dataset under <data_dir>/<name> without ever leaving a partial one: the
// generator writes into path() (a hidden staging folder next to the target), and commit() writes
// DATASET.json, removes the old folder and renames the staging folder into place. Destroying an
// uncommitted StagingFolder removes what was written.
class StagingFolder {
 public:
  StagingFolder(const std::string& data_dir, const std::string& name);
  ~StagingFolder();
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;

  const std::string& path() const { return staging_; }
  void commit(const Json& dataset_json);

 private:
  std::string target_, staging_;
  bool committed_ = false;
};

// The DATASET.json of a generated folder.
Json dataset_json(const std::string& source, const std::string& generator, const Json& parameters, uint64_t seed,
                  const Json& counts, bool substitute, const std::string& description);

// Writes a whole file (binary); UserError naming the path on failure.
void write_file(const std::string& path, const std::string& bytes);

}  // namespace lra::data

namespace lra::data {

// The examples `picked` of `from` (all their documents), in that order.
Dataset subset(const Dataset& from, const std::vector<size_t>& picked);

}  // namespace lra::data
