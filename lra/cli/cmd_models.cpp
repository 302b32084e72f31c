// lra models: list every registered model with its description and its parameter count for one
// task's resolved config.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

#include "lra/cli/commands.h"
#include "lra/config/cell_config.h"
#include "lra/config/config.h"
#include "models/registry.h"

namespace lra::cli {

namespace {

struct ModelsOptions {
  std::string task = "text";
  std::string profile = "paper";
};

int list_models(const GlobalOptions& global, const ModelsOptions& options) {
  struct Row {
    const ModelEntry* entry;
    int64_t parameters;
  };
  std::vector<Row> rows;  // everything resolved before printing, so an error prints alone
  int width = 4;          // the name column fits the longest name
  for (const auto& entry : model_registry()) {
    const auto config = resolve_cell_config({options.task, entry.name, options.profile, {}, global.config_dir});
    rows.push_back({&entry, parameter_count(*entry.build(config))});
    width = std::max(width, static_cast<int>(entry.name.size()) + 1);
  }
  std::cout << "models (parameters for task " << options.task << ", profile " << options.profile << "):\n";
  std::cout << "  " << std::left << std::setw(width) << "name" << std::right << std::setw(12) << "parameters"
            << "  description\n";
  for (const auto& row : rows)
    std::cout << "  " << std::left << std::setw(width) << row.entry->name << std::right << std::setw(12)
              << row.parameters << "  " << row.entry->description << "\n";
  return 0;
}

}  // namespace

void add_models_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* models = app.add_subcommand("models", "list the registered models with their parameter counts");
  auto options = std::make_shared<ModelsOptions>();
  models->add_option("--task", options->task, "task whose config sizes the models")->capture_default_str();
  models->add_option("--profile", options->profile, "profile: paper, cpu, smoke (configs/profiles/)")
      ->capture_default_str();
  models->callback([&global, &action, options] {
    action = [&global, options] { return list_models(global, *options); };
  });
}

}  // namespace lra::cli
