#pragma once
// The Pathfinder image generator of Linsley et al. (2018) as used for LRA (Kim et al. 2020,
// `snakes2.py` of drewlinsley/pathfinder), reimplemented from its description (docs/tasks-and-data.md):
// two target snakes grown in lockstep from nearby seeds with a continuity prior, distractor snakes,
// and two marker discs on the ends of one snake (positive) or of two different snakes (negative).
// Deliberate differences from snakes2.py, none of which changes what the label means:
// - coordinates are rounded to the nearest pixel (the original took the ceiling, a drift toward +y,+x);
// - both target snakes' last paddles join the occupancy mask before distractors are added (the
//   original added only the second snake's, so a distractor could touch the first snake's end);
// - the second seed's tail must lie inside the image (its marker would be invisible otherwise);
// - the two target snakes' last paddles must not overlap: the original never tested them against
//   each other, so both ends, where the markers go, could share a pixel and a negative look exactly
//   like a positive;
// - a paddle's ink is its exact area coverage at the antialias scale, then Lanczos-downsampled
//   (PIL drew an aliased line there); paddle shapes are cached, which changes no pixel;
// - the random stream is ours (std::mt19937_64), so images are not those of the release.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/pathfinder/png_io.h"

namespace lra {

// One resolution x difficulty. Lengths are in image pixels, angles in integer degrees when sampled.
struct SnakeParams {
  int resolution = 32;            // image side R
  int padding = 1;                // border, in pixels, that no paddle may cover
  int antialias = 2;              // paddles and discs are drawn at this many times R, then downsampled
  int paddle_length = 2;
  double paddle_thickness = 0.5;  // thickness * antialias must be an integer (as in the original)
  std::vector<int> paddle_margins{1};  // one is drawn per image: the gap kept around every paddle
  double marker_radius = 1.5;
  int seed_distance = 7;          // the two target snakes start this far apart
  double continuity = 1.0;        // turn penalty: a turn of d radians is weighted cos(min(d*continuity, pi/2))^2
  int contour_length = 14;        // paddles per target snake (difficulty: 6, 9, 14)
  int distractor_length = 4;      // paddles per distractor snake
  int distractor_snakes = 5;
  double snake_contrast = 2.0;    // intensity of every snake ...
  double paddle_contrast = 0.75;  // ... times this for the two target snakes
  int max_distractor_retrials = 4;
  int max_paddle_retrials = 2;
  bool single_paddles = false;    // fill the rest with one-paddle snakes (see lra.md §2, step 3)

  nlohmann::json to_json() const;
};

// Contour length of a difficulty folder name: curv_baseline 6, curv_contour_length_9 9,
// curv_contour_length_14 14. UserError listing the known names otherwise.
int contour_length_of(const std::string& difficulty);

// The LRA parameter set for resolution 32 or 128 at a difficulty (UserError for other values).
SnakeParams pathfinder_params(int resolution, const std::string& difficulty);

// One image: label 1 = the markers sit on both ends of one snake. Deterministic in `seed`.
// *margin (if given) receives the paddle margin drawn for this image (a metadata field).
GrayImage render_pathfinder_image(const SnakeParams& params, int label, uint64_t seed, int* margin = nullptr);

}  // namespace lra
