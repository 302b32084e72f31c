// lra plan: what run_all.sh will run (cells x seeds, where) and about how long it takes, before it starts.
// The plan goes to stderr; stdout gets the number of seeds per cell. With --manifest it also writes the
// sweep's manifest (one line per run, lra/report/sweep_manifest.h) that `lra sweep` walks.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "lra/cli/commands.h"
#include "lra/config/config.h"
#include "core/errors.h"
#include "lra/report/run_plan.h"
#include "lra/report/run_report.h"
#include "lra/sweep/sweep_plan.h"
#include "models/registry.h"
#include "tasks/registry.h"
#include "lra/config/config_files.h"

namespace lra::cli {

namespace {

struct PlanOptions {
  std::string profile = "cpu";
  std::string tasks, models, out, reference;
  int seeds = 0;  // 0: the profile's "seeds"
  bool extra_cells = false;
  bool default_table = false;
  bool spt = false;
  std::string manifest, data_dir, precision = "fp32";
  bool no_extra = false;
};

std::vector<std::string> split_list(const std::string& text, const char* option) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  if (items.empty()) throw UserError(std::string(option) + " is empty; hint: a comma-separated list");
  return items;
}

// The profile's extra cells, each naming a known task and model.
std::vector<ExtraCell> checked_extra_cells(const std::string& config_dir, const std::string& profile) {
  const auto cells = profile_extra_cells(config_dir, profile);
  for (const ExtraCell& cell : cells) {
    try {
      find_task(cell.task);
      find_model(cell.model);
    } catch (const UserError& e) {
      throw UserError("profile '" + profile + "', extra_cells: " + e.what());
    }
  }
  return cells;
}

}  // namespace

void add_plan_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* plan = app.add_subcommand("plan", "what run_all.sh will run and the expected time (stdout: seeds per cell)");
  auto o = std::make_shared<PlanOptions>();
  plan->add_option("--profile", o->profile, "config profile")->capture_default_str();
  plan->add_option("--tasks", o->tasks, "comma-separated tasks (default: the LRA table's five)");
  plan->add_option("--models", o->models, "comma-separated models (default: the registry's default-table models)");
  plan->add_flag("--default-table", o->default_table,
                 "stdout: the default table, 'TASKS MODELS' (two comma-separated lists, from the task and model "
                 "registries)");
  plan->add_flag("--extra-cells", o->extra_cells,
                 "stdout: the profile's extra cells outside the table, one 'task model seeds' line each");
  plan->add_option("--seeds", o->seeds, "seeds per cell (default: the profile's \"seeds\")")
      ->check(CLI::Range(0, 1000));
  plan->add_option("--out", o->out, "where the runs are written (required unless --extra-cells)");
  plan->add_flag("--spt", o->spt, "the plan of run_all.sh --spt (each run also pretrains and fine-tunes)");
  plan->add_option("--manifest", o->manifest,
                   "also write the sweep's manifest here (<out>/sweep/manifest.tsv), the table's runs then the "
                   "profile's extra cells");
  plan->add_option("--data-dir", o->data_dir, "the manifest's data folder (required with --manifest)");
  plan->add_option("--precision", o->precision, "the manifest's precision")->capture_default_str();
  plan->add_flag("--no-extra", o->no_extra, "leave the profile's extra cells out of the manifest");
  plan->add_option("--reference", o->reference, "committed reference run for the estimate (default results/<profile>)");
  plan->callback([&global, &action, o] {
    action = [&global, o] {
      if (o->extra_cells) {
        for (const ExtraCell& cell : checked_extra_cells(global.config_dir, o->profile))
          std::cout << cell.task << " " << cell.model << " " << cell.seeds << "\n";
        return 0;
      }
      if (o->default_table) {
        std::string tasks;
        for (const auto& t : default_table_tasks()) tasks += (tasks.empty() ? "" : ",") + t;
        std::cout << tasks << " " << default_table_models_list() << "\n";
        return 0;
      }
      if (o->out.empty()) throw UserError("lra plan needs --out (or --extra-cells, --default-table)");
      RunPlan p;
      p.profile = o->profile;
      p.tasks = o->tasks.empty() ? default_table_tasks() : split_list(o->tasks, "--tasks");
      p.models = o->models.empty() ? default_table_models() : split_list(o->models, "--models");
      for (const auto& t : p.tasks) find_task(t);
      for (const auto& m : p.models) find_model(m);
      p.seeds = o->seeds > 0 ? o->seeds : profile_seeds(global.config_dir, o->profile);
      p.out_dir = o->out;
      p.spt = o->spt;
      p.reference_dir = o->reference.empty() ? "results/" + o->profile : o->reference;
      // The estimate reads a committed reference run; a report there that cannot be read is named, not skipped.
      RunReportScan reference;
      if (std::filesystem::is_directory(p.reference_dir)) reference = scan_run_reports(p.reference_dir);
      std::cerr << plan_text(p, estimate_plan(p, reference.runs));
      for (const auto& f : reference.unusable)
        std::cerr << "      the estimate leaves out " << f.path << ": " << f.why << "\n";
      if (!o->manifest.empty()) {
        if (o->data_dir.empty()) throw UserError("lra plan --manifest needs --data-dir (the runs' data folder)");
        SweepRequest request{p, {}, o->precision, o->data_dir, global.config_dir};
        if (!o->no_extra) request.extra_cells = checked_extra_cells(global.config_dir, o->profile);
        const auto runs = plan_sweep(request);
        write_manifest(o->manifest, runs);
        write_planned_configs(o->manifest, runs, global.config_dir);
        std::cerr << "      manifest: " << o->manifest << " (" << runs.size() << " runs)\n";
      }
      std::cout << p.seeds << "\n";
      return 0;
    };
  });
}

}  // namespace lra::cli
