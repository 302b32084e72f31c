#include "lra/sweep/sweep_runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "core/errors.h"
#include "lra/report/run_inputs.h"
#include "lra/runtime/environment.h"
#include "lra/sweep/sweep_plan.h"

namespace lra {
namespace fs = std::filesystem;

namespace {

std::atomic<int> stop_asked{0};  // lock-free: the signal handler and every job read it
// The children running now, one slot per job (lock-free atomics: the signal handler reads them).
constexpr int kMaxJobs = 256;
std::array<std::atomic<pid_t>, kMaxJobs> running_children{};

// A stop (Ctrl-C, scancel, a time limit) reaches every running child too, which checkpoints and exits 130;
// the sweep waits for them and starts no further line.
void on_stop_signal(int signal) {
  stop_asked = 1;
  for (auto& child : running_children) {
    const pid_t pid = child.load();
    if (pid > 0) ::kill(pid, signal);
  }
}

class StopForwarding {
 public:
  StopForwarding() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
    stop_asked = 0;
  }
  ~StopForwarding() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  StopForwarding(const StopForwarding&) = delete;
  StopForwarding& operator=(const StopForwarding&) = delete;

 private:
  struct sigaction previous_int_ {}, previous_term_ {};
};

// Runs this executable with `args`, stdout and stderr into `log`, as job `slot`'s child; its exit code
// (128 + signal if killed).
int run_child(const std::vector<std::string>& args, const std::string& log, int slot) {
  const std::string exe = self_executable();
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw UserError("cannot write the log " + log);
  std::vector<std::string> argv_strings{exe};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw UserError("cannot start a process for " + log);
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(exe.c_str(), argv.data());
    _exit(127);
  }
  running_children[static_cast<size_t>(slot)] = pid;
  if (stop_asked) ::kill(pid, SIGTERM);  // a stop that came while it started
  ::close(log_fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  running_children[static_cast<size_t>(slot)] = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Holds an exclusive lock on <folder>/.sweep.lock for its lifetime, or knows it could not.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& folder) : path_((folder / ".sweep.lock").string()) {
    fs::create_directories(folder);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw UserError("cannot open the run folder's lock " + path_);
    held_ = ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  bool held() const { return held_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool held_ = false;
};

std::string elapsed_text(std::chrono::steady_clock::time_point since) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - since).count();
  char text[32];
  std::snprintf(text, sizeof(text), "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return text;
}

// What the log tells the user in one line: the last accuracy line, and the reuse decision.
struct LogFacts {
  std::string accuracy;
  bool reused = false;
  std::vector<std::string> not_reused;
};

LogFacts read_log_facts(const std::string& log) {
  LogFacts facts;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("test accuracy") != std::string::npos || line.find("masked-token accuracy") != std::string::npos)
      facts.accuracy = line;
    if (line.find("reused, not re-run") != std::string::npos) facts.reused = true;
    if (line.find("NOT reused") != std::string::npos) facts.not_reused.push_back(line);
  }
  return facts;
}

struct ChildRun {
  std::string kind;  // train | pretrain | spt
  std::string label;
  std::vector<std::string> args;
  std::string log;
};

std::vector<ChildRun> child_runs(const SweepRun& run, const fs::path& sweep, const SweepOptions& options) {
  std::vector<std::string> global;
  if (!options.config_dir.empty()) global.insert(global.end(), {"--config-dir", options.config_dir});
  // With several jobs, each child gets its share of the CPUs unless --threads says otherwise.
  const int threads = options.threads > 0 ? options.threads
                      : options.jobs > 1  ? std::max(1, available_cpus() / options.jobs)
                                          : 0;
  if (threads > 0) global.insert(global.end(), {"--threads", std::to_string(threads)});
  const std::string label = run.task + " / " + run.model + " / seed " + std::to_string(run.seed);
  auto child = [&](const std::string& kind, const std::string& command, const std::string& folder,
                   const std::string& suffix, std::vector<std::string> extra) {
    ChildRun c{kind, label + suffix, global, ""};
    c.args.insert(c.args.end(), {command, "--task", run.task, "--model", run.model, "--profile", run.profile,
                                 "--data-dir", run.data_dir, "--out", (sweep / folder).string(), "--seed",
                                 std::to_string(run.seed), "--precision", run.precision, "--reuse"});
    if (!options.device.empty()) c.args.insert(c.args.end(), {"--device", options.device});
    c.args.insert(c.args.end(), {"--manifest-config-sha256", run.config_sha256});
    if (!options.accept_changed.empty()) c.args.insert(c.args.end(), {"--accept-changed", options.accept_changed});
    c.args.insert(c.args.end(), extra.begin(), extra.end());
    c.log = (sweep / "logs" / (kind + "-" + run.task + "-" + model_folder_name(run.model) + "-seed" +
                               std::to_string(run.seed) + ".log")).string();
    return c;
  };
  if (run.protocol == "scratch") return {child("train", "train", run.run_folder, "", {})};
  const std::string pretrain = pretrain_folder_for(run);
  return {child("pretrain", "pretrain", pretrain, " (SPT pretraining)", {}),
          child("spt", "train", run.run_folder, " (SPT)", {"--init-from", (sweep / pretrain).string()})};
}

}  // namespace

SweepResult run_sweep(const std::vector<SweepRun>& runs, const SweepOptions& options) {
  if (options.jobs < 1 || options.jobs > kMaxJobs)
    throw UserError("lra sweep --jobs " + std::to_string(options.jobs) + ": give 1.." + std::to_string(kMaxJobs));
  const fs::path sweep = sweep_folder_of(options.manifest);
  const bool accepts_config = parse_accepted_changes(options.accept_changed).count(kInputConfig) > 0;
  fs::create_directories(sweep / "logs");
  StopForwarding forwarding;
  SweepResult result;
  std::mutex mutex;  // guards result, next and the output
  size_t next = 0;
  auto report = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex);
    std::cout << line << std::endl;
    result.lines.push_back(line);
  };
  auto count = [&](bool failed, bool stopped) {
    std::lock_guard<std::mutex> lock(mutex);
    if (failed) ++result.failed;
    if (stopped) result.stopped = true;
  };
  // Each job takes the next line not yet taken, so a long run on one job never holds back the rest.
  auto job = [&](int slot) {
    for (;;) {
      size_t i = 0;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stop_asked || result.stopped || next >= runs.size()) return;
        i = next++;
      }
      const SweepRun& run = runs[i];
      FolderLock lock(sweep / run.run_folder);
      if (!lock.held()) {
        report("BUSY    " + run.task + " / " + run.model + " / seed " + std::to_string(run.seed) +
               ": another process runs this line (it holds " + lock.path() + "); left to it");
        count(true, false);
        continue;
      }
      // A config edited since planning would make this sweep mix two configs without a word.
      if (const std::string change = planned_config_change(options.manifest, run, options.config_dir); !change.empty()) {
        const std::string label = run.task + " / " + run.model + " / seed " + std::to_string(run.seed);
        if (!accepts_config) {
          report("CHANGED " + label + ": " + change + "; not run (hint: plan the sweep again with lra plan --manifest "
                 "or ./run_all.sh, or pass --accept-changed config to run the config as it is now)");
          count(true, false);
          continue;
        }
        report("note    " + label + ": " + change + "; run as it is now (--accept-changed config)");
      }
      for (const auto& child : child_runs(run, sweep, options)) {
        const auto start = std::chrono::steady_clock::now();
        const int rc = run_child(child.args, child.log, slot);
        const LogFacts facts = read_log_facts(child.log);
        std::string line;
        for (const auto& not_reused : facts.not_reused) line += not_reused + "\n";
        if (rc != 0) line += "FAILED  " + child.label + " (exit " + std::to_string(rc) + ", see " + child.log + ")";
        else if (facts.reused) line += "done    " + child.label + " (reused: same commit, config, data and model)";
        else line += "done    " + child.label + " in " + elapsed_text(start);
        report(line + "  " + facts.accuracy);
        if (rc == 130 || stop_asked) {
          count(false, true);
          return;
        }
        if (rc != 0) {
          count(true, false);
          if (child.kind == "pretrain") report("SKIPPED " + run.task + " / " + run.model + " / seed " +
                                               std::to_string(run.seed) + " (SPT): its pretraining failed");
          break;
        }
      }
    }
  };
  const int jobs = static_cast<int>(std::min<size_t>(static_cast<size_t>(options.jobs), std::max<size_t>(runs.size(), 1)));
  if (jobs == 1) {
    job(0);
  } else {
    std::vector<std::thread> threads;
    for (int slot = 0; slot < jobs; ++slot) threads.emplace_back(job, slot);
    for (auto& t : threads) t.join();
  }
  return result;
}

}  // namespace lra
