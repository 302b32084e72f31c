// lra plan: what run_all.sh will run (cells x seeds, where) and about how long it takes, before it starts.
// The plan goes to stderr; stdout gets the number of seeds per cell, for the script to loop over.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "lra/cli/commands.h"
#include "lra/config/config.h"
#include "core/errors.h"
#include "lra/report/run_plan.h"
#include "lra/report/run_report.h"
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
  bool spt = false;
};

std::vector<std::string> split_list(const std::string& text, const char* option) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  if (items.empty()) throw UserError(std::string(option) + " is empty; hint: a comma-separated list");
  return items;
}

}  // namespace

void add_plan_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* plan = app.add_subcommand("plan", "what run_all.sh will run and the expected time (stdout: seeds per cell)");
  auto o = std::make_shared<PlanOptions>();
  plan->add_option("--profile", o->profile, "config profile")->capture_default_str();
  plan->add_option("--tasks", o->tasks, "comma-separated tasks (required unless --extra-cells)");
  plan->add_option("--models", o->models, "comma-separated models (required unless --extra-cells)");
  plan->add_flag("--extra-cells", o->extra_cells,
                 "stdout: the profile's extra cells outside the table, one 'task model seeds' line each");
  plan->add_option("--seeds", o->seeds, "seeds per cell (default: the profile's \"seeds\")")
      ->check(CLI::Range(0, 1000));
  plan->add_option("--out", o->out, "where the runs are written (required unless --extra-cells)");
  plan->add_flag("--spt", o->spt, "the plan of run_all.sh --spt (each run also pretrains and fine-tunes)");
  plan->add_option("--reference", o->reference, "committed reference run for the estimate (default results/<profile>)");
  plan->callback([&global, &action, o] {
    action = [&global, o] {
      if (o->extra_cells) {
        for (const ExtraCell& cell : profile_extra_cells(global.config_dir, o->profile)) {
          try {
            find_task(cell.task);
            find_model(cell.model);
          } catch (const UserError& e) {
            throw UserError("profile '" + o->profile + "', extra_cells: " + e.what());
          }
          std::cout << cell.task << " " << cell.model << " " << cell.seeds << "\n";
        }
        return 0;
      }
      for (const auto* required : {&o->tasks, &o->models, &o->out})
        if (required->empty()) throw UserError("lra plan needs --tasks, --models and --out (or --extra-cells)");
      RunPlan p;
      p.profile = o->profile;
      p.tasks = split_list(o->tasks, "--tasks");
      p.models = split_list(o->models, "--models");
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
      std::cout << p.seeds << "\n";
      return 0;
    };
  });
}

}  // namespace lra::cli
