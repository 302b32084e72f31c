#pragma once
// Writing results without ever leaving a partial file: write to a temp file in the same folder,
// flush + fsync, then rename over the target (rename is atomic on POSIX file systems).
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace lra {

// Calls write_to(temp_path) and renames the temp file to `path`. Creates parent folders.
// If write_to throws, the temp file is removed and `path` is untouched.
void write_atomically(const std::string& path, const std::function<void(const std::string& temp_path)>& write_to);

void write_text_atomically(const std::string& path, const std::string& text);

// Pretty-printed JSON (2-space indent) with a trailing newline.
void write_json_atomically(const std::string& path, const nlohmann::json& doc);

// Removes the temp files of write_atomically in `dir` (".<name>.tmp.<pid>.<n>") whose writer process
// is gone: a SIGKILL between write and rename leaves one behind. Those of live processes stay, so
// runs sharing a folder never lose each other's files. Returns how many were removed.
int remove_stale_temp_files(const std::string& dir);

// Reads a whole file; throws UserError naming the path when it cannot.
std::string read_text_file(const std::string& path);

}  // namespace lra
