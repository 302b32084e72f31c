#pragma once
// Shared by the fuzz targets (one libFuzzer target per parser, fuzz/fuzz_<parser>.cpp).
//
// The rule every target checks: a parser either succeeds or throws lra::UserError whose message is
// one printable line (what `lra` prints before exiting with code 2). Any other exception, a crash or
// a sanitizer report is a bug. Parsers that read files by path get the input written into a
// scratch folder (one per fuzzing process, removed at exit) in the layout they expect.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "lra/config/config.h"
#include "core/errors.h"

namespace lra_fuzz {

namespace fs = std::filesystem;

inline void remove_scratch();

inline const fs::path& scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("lra_fuzz_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    std::atexit(remove_scratch);
    return d;
  }();
  return dir;
}

inline void remove_scratch() {
  std::error_code ignored;
  fs::remove_all(scratch(), ignored);
}

inline void write_file(const fs::path& path, const uint8_t* data, size_t size) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
}

inline void write_file(const fs::path& path, const std::string& bytes) {
  write_file(path, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// A task's smoke-profile data config with no example limits, and the scratch folder its files go in
// (<scratch>/data/<task.data.folder>): the loader's arguments are (root, task).
struct TaskFolder {
  lra::Json task;
  fs::path root = scratch() / "data";
  fs::path folder;
  explicit TaskFolder(const std::string& task_name) {
    task = lra::resolve_config({task_name, "transformer", "smoke", {}, ""})["task"];
    task["data"]["train_limit"] = task["data"]["val_limit"] = task["data"]["test_limit"] = 0;
    folder = root / task["data"]["folder"].get<std::string>();
  }
};

// Seeds a target can make with the project's own writers (binary formats): written into
// $LRA_FUZZ_SEED_DIR when fuzz.sh sets it, before the fuzzing starts.
inline const char* seed_dir() {
  const char* dir = std::getenv("LRA_FUZZ_SEED_DIR");
  return dir && *dir ? dir : nullptr;
}

// Runs `parse`; returns normally for success or a well-formed UserError, aborts (a finding) otherwise.
template <typename Parse>
void expect_success_or_user_error(Parse&& parse) {
  try {
    parse();
  } catch (const lra::UserError& e) {
    const std::string what = e.what();
    if (what.empty() || what.find('\n') != std::string::npos || what.find('\r') != std::string::npos ||
        lra::printable(what, what.size()) != what) {
      std::fprintf(stderr, "fuzz: UserError is not one printable line: %s\n", lra::printable(what, 400).c_str());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: escaped as a non-UserError exception (lra would exit 1): %s\n",
                 lra::printable(e.what(), 400).c_str());
    std::abort();
  }
}

}  // namespace lra_fuzz
