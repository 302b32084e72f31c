#pragma once
// Helpers for the task data tests: whole-file read/write, the resolved
// task section of a shipped config, and a snapshot of every file under a folder (for determinism).
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "lra/config/config.h"
#include "scratch.h"

namespace lra::test {

inline void write_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The "task" section of configs/tasks/<task>.json resolved with the transformer model and a profile.
inline nlohmann::json task_config(const std::string& task, const std::string& profile = "paper",
                                  const std::vector<std::string>& overrides = {}) {
  return lra::resolve_config({task, "transformer", profile, overrides, ""})["task"];
}

// Relative path -> bytes of every regular file under dir.
inline std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      files[std::filesystem::relative(entry.path(), dir).string()] = read_file(entry.path().string());
  return files;
}

// The document d of a dataset as a string of bytes (token id - 1), for byte-level tasks.
template <typename DatasetT>
std::string document_bytes(const DatasetT& data, size_t d) {
  std::string bytes;
  for (int64_t i = 0; i < data.document_length(d); ++i) bytes += static_cast<char>(data.document(d)[i] - 1);
  return bytes;
}

}  // namespace lra::test
