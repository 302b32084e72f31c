// The LRA parameter sets of the snake generator (snakes.h).
#include "core/errors.h"
#include "tasks/pathfinder/snakes.h"

namespace lra {

nlohmann::json SnakeParams::to_json() const {
  return {{"resolution", resolution},
          {"padding", padding},
          {"antialias_scale", antialias},
          {"paddle_length", paddle_length},
          {"paddle_thickness", paddle_thickness},
          {"paddle_margins", paddle_margins},
          {"marker_radius", marker_radius},
          {"seed_distance", seed_distance},
          {"continuity", continuity},
          {"contour_length", contour_length},
          {"distractor_length", distractor_length},
          {"distractor_snakes", distractor_snakes},
          {"snake_contrast", snake_contrast},
          {"paddle_contrast", paddle_contrast},
          {"max_distractor_retrials", max_distractor_retrials},
          {"max_paddle_retrials", max_paddle_retrials},
          {"single_paddles", single_paddles}};
}

int contour_length_of(const std::string& difficulty) {
  if (difficulty == "curv_baseline") return 6;
  if (difficulty == "curv_contour_length_9") return 9;
  if (difficulty == "curv_contour_length_14") return 14;
  throw UserError("unknown pathfinder difficulty '" + difficulty +
                  "' (known: curv_baseline, curv_contour_length_9, curv_contour_length_14)");
}

SnakeParams pathfinder_params(int resolution, const std::string& difficulty) {
  SnakeParams p;
  p.resolution = resolution;
  p.contour_length = contour_length_of(difficulty);
  // Settings from the LRA TFDS builder docstrings; the rest are the generator's defaults.
  int distractor_budget = 0;  // paddles spent on distractor snakes
  if (resolution == 32) {
    p.padding = 1, p.antialias = 2, p.paddle_margins = {1}, p.paddle_length = 2, p.paddle_thickness = 0.5;
    p.marker_radius = 1.5, p.seed_distance = 7, p.continuity = 1.0;
    p.snake_contrast = 2.0, p.paddle_contrast = 0.75, distractor_budget = 20;
  } else if (resolution == 128) {
    p.padding = 1, p.antialias = 2, p.paddle_margins = {2, 3}, p.paddle_length = 5, p.paddle_thickness = 1.5;
    p.marker_radius = 3, p.seed_distance = 20, p.continuity = 1.8;
    p.snake_contrast = 0.9, p.paddle_contrast = 1.0, distractor_budget = 35;
  } else {
    throw UserError("pathfinder generator: resolution " + std::to_string(resolution) +
                    " has no parameter set (known: 32, 128)");
  }
  // The docstrings give distractor_length = contour/3 and n = budget // distractor_length for the
  // hard set (32: 4 and 5; 128: 4 and 8). The stock wrapper did not recompute n per difficulty;
  // we do, so every difficulty spends about the same number of paddles on distractors.
  p.distractor_length = p.contour_length / 3;
  p.distractor_snakes = distractor_budget / p.distractor_length;
  return p;
}

}  // namespace lra
