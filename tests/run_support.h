#pragma once
// Shared by the tests that train: scratch folders, generated smoke ListOps, and running the lra
// binary (LRA_BINARY) as a child process.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "lra/config/config.h"
#include "scratch.h"
#include "tasks/registry.h"

namespace lra::test {

// Smoke-size ListOps generated once per test process.
inline const std::string& smoke_listops_data() {
  static const std::string dir = [] {
    auto d = scratch("listops_data");
    auto config = resolve_config({"listops", "luna-16", "smoke", {}, ""});
    find_task("listops").generate(d.string(), config["task"], 1);
    return d.string();
  }();
  return dir;
}

inline Json read_json(const std::filesystem::path& path) { return Json::parse(read_text_file(path.string())); }

// Starts `lra args...` with extra environment entries ("K=V"), stderr and (optionally) stdout
// redirected to files.
inline pid_t spawn_lra(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                       const std::string& stderr_file = "", const std::string& stdout_file = "") {
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    for (const auto& [file, fd] : {std::pair<const std::string&, int>{stderr_file, 2}, {stdout_file, 1}})
      if (!file.empty()) dup2(open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), fd);
    std::vector<char*> argv{const_cast<char*>(LRA_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LRA_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for a child; its exit code, or 128 + signal.
inline int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline int run_lra(const std::vector<std::string>& args) { return wait_for(spawn_lra(args)); }

// `lra args...` with its stdout and stderr captured through files in capture_dir.
struct CapturedRun {
  int code = -1;
  std::string out, err;
};
inline CapturedRun capture_lra(const std::vector<std::string>& args, const std::filesystem::path& capture_dir) {
  const std::string out_path = (capture_dir / "stdout").string(), err_path = (capture_dir / "stderr").string();
  CapturedRun run;
  run.code = wait_for(spawn_lra(args, {}, err_path, out_path));
  run.out = read_text_file(out_path);
  run.err = read_text_file(err_path);
  return run;
}

}  // namespace lra::test
