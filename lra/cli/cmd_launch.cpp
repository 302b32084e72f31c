// lra launch -n N -- train ...: N data-parallel processes on this machine (the store on a free
// localhost port); each child gets WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "lra/cli/commands.h"
#include "lra/runtime/environment.h"
#include "core/errors.h"

namespace lra::cli {

namespace {

int free_local_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw UserError("lra launch: cannot find a free localhost port");
  int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}


int launch(int processes, const std::vector<std::string>& command, int threads) {
  if (processes < 1) throw UserError("lra launch: -n must be >= 1");
  if (command.empty()) throw UserError("lra launch: give the command after --, e.g. lra launch -n 2 -- train ...");
  const std::string exe = self_executable();
  const std::string port = std::to_string(free_local_port());
  std::vector<pid_t> children;
  for (int rank = 0; rank < processes; ++rank) {
    pid_t pid = fork();
    if (pid == 0) {
      setenv("WORLD_SIZE", std::to_string(processes).c_str(), 1);
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      std::vector<std::string> args{exe};
      if (threads > 0) args.insert(args.end(), {"--threads", std::to_string(threads)});
      args.insert(args.end(), command.begin(), command.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(exe.c_str(), argv.data());
      _exit(127);
    }
    children.push_back(pid);
  }
  std::cerr << "lra launch: " << processes << " processes, store on 127.0.0.1:" << port << "\n";
  int worst = 0;
  for (size_t remaining = children.size(); remaining > 0; --remaining) {
    int status = 0;
    pid_t pid = ::wait(&status);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    for (size_t rank = 0; rank < children.size(); ++rank)
      if (children[rank] == pid && rc != 0) std::cerr << "lra launch: rank " << rank << " exited with " << rc << "\n";
    worst = std::max(worst, rc);
  }
  return worst;
}

}  // namespace

void add_launch_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* launch_cmd = app.add_subcommand("launch", "run N data-parallel processes of an lra command on this machine");
  auto processes = std::make_shared<int>(2);
  auto command = std::make_shared<std::vector<std::string>>();
  launch_cmd->add_option("-n,--processes", *processes, "number of processes")->capture_default_str();
  launch_cmd->add_option("command", *command, "the lra command after --, e.g. -- train --task listops ...")
      ->required();
  launch_cmd->positionals_at_end();
  launch_cmd->callback([&global, &action, processes, command] {
    action = [&global, processes, command] {
      // Split the machine's threads between the processes unless --threads was given.
      int threads = global.threads;
      if (threads == 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / *processes);
      return launch(*processes, *command, threads);
    };
  });
}

}  // namespace lra::cli
