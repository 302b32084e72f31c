// lra config show: print the resolved configuration of one (task, model, profile) cell.
#include <iostream>

#include "lra/cli/commands.h"
#include "lra/config/cell_config.h"
#include "lra/config/config.h"

namespace lra::cli {

void add_config_options(CLI::App& command, ConfigOptions& options, bool model_required, bool task_required) {
  auto* task = command.add_option("--task", options.task, "task: listops, text, retrieval, image, pathfinder, pathx");
  if (task_required) task->required();
  auto* model = command.add_option("--model", options.model, "model name (see `lra models`)");
  if (model_required) model->required();
  command.add_option("--profile", options.profile, "profile: paper, cpu, smoke (configs/profiles/)")
      ->capture_default_str();
  command.add_option("--set", options.overrides, "override one key, e.g. --set train.lr=0.001 (repeatable)")
      ->allow_extra_args(false);
}

void add_config_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* config = app.add_subcommand("config", "inspect configurations");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "print the resolved config (task + model + profile + --set) as JSON");
  auto options = std::make_shared<ConfigOptions>();
  add_config_options(*show, *options);
  show->callback([&global, &action, options] {
    action = [&global, options] {
      ConfigRequest request{options->task, options->model, options->profile, options->overrides, global.config_dir};
      std::cout << resolve_cell_config(request).dump(2) << "\n";
      return 0;
    };
  });
}

}  // namespace lra::cli
