#pragma once
// Each subcommand lives in its own lra/cli/cmd_<name>.cpp and registers itself on the app through
// one add_*_command function; main.cpp only calls them. A subcommand's callback runs the command
// and may throw UserError (exit 2).
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace lra::cli {

// Options shared by every subcommand.
struct GlobalOptions {
  int threads = 0;  // 0: the CPUs this process may use (affinity)
  std::string config_dir;
};

// What main() runs once parsing has succeeded (set by the chosen subcommand).
using Action = std::function<int()>;

void add_config_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_models_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_data_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_train_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_pretrain_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_eval_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_bench_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_report_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_plot_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_launch_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_checkpoint_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_plan_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_sweep_command(CLI::App& app, GlobalOptions& global, Action& action);

// Common options of commands that resolve a config (--task --model --profile --set).
struct ConfigOptions {
  std::string task;
  std::string model;
  std::string profile = "paper";
  std::vector<std::string> overrides;
};
void add_config_options(CLI::App& command, ConfigOptions& options, bool model_required = true,
                        bool task_required = true);

}  // namespace lra::cli
