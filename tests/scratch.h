#pragma once
// The tests' one scratch-folder helper: a fresh, empty folder under the temp dir, unique to this call
// (name, process, counter), removed when the test process exits.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace lra::test {

namespace detail {

struct ScratchFolders {
  pid_t owner = ::getpid();  // a forked child that exits must not remove its parent's folders
  std::mutex mutex;
  std::vector<std::filesystem::path> made;
  ~ScratchFolders() {
    if (::getpid() != owner) return;
    std::error_code ignored;
    for (const auto& dir : made) std::filesystem::remove_all(dir, ignored);
  }
};

inline ScratchFolders& scratch_folders() {
  static ScratchFolders folders;
  return folders;
}

}  // namespace detail

inline std::filesystem::path scratch(const std::string& name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("lra_test_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto& folders = detail::scratch_folders();
  const std::lock_guard<std::mutex> lock(folders.mutex);
  folders.made.push_back(dir);
  return dir;
}

}  // namespace lra::test
