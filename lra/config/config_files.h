#pragma once
// The files of a config folder (configs/): one found by name, a profile's sections, a model file's parts.
#include <string>
#include <utility>
#include <vector>

#include "lra/config/config.h"
#include "lra/config/config_ranges.h"

namespace lra {

// configs/<kind>/<name>.json; UserError listing the known names when there is none (a name is a file
// stem there: "../models/x" must not reach another folder). `what` names the kind in the error.
std::string config_file(const std::string& dir, const std::string& kind, const std::string& name, const char* what);

// A profile's top level: its sections, checked by name and shape.
Json load_profile(const std::string& profile_file);

// A model file: its config layer, plus the ranges of the model.attention keys it adds and its
// settings per profile (both optional).
struct ModelLayer {
  Json layer;
  std::vector<std::pair<std::string, ValueRange>> ranges;
  Json profiles = Json::object();
};
ModelLayer split_model_layer(Json layer, const std::string& model_file);

// The seeds per cell a profile asks of run_all.sh (its "seeds" section; 1 when absent).
int profile_seeds(const std::string& config_dir, const std::string& profile);

// A cell run_all.sh adds outside the task x model table (e.g. one Path-X run), from a profile's
// "extra_cells" list; its config resolves like any cell's (the profile's "tasks" section included).
struct ExtraCell {
  std::string task, model;
  int seeds = 1;
};
std::vector<ExtraCell> profile_extra_cells(const std::string& config_dir, const std::string& profile);

// The task names a profile's "tasks" section holds, sorted by name (empty when it has none).
std::vector<std::string> profile_tasks(const std::string& config_dir, const std::string& profile);

}  // namespace lra
