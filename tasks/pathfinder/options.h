#pragma once
// The task.data and task.generate keys Pathfinder reads, checked once: an unknown key or a value of
// the wrong type is a UserError naming the key path (a misspelt key must not be silently ignored).
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace lra {

struct PathfinderDataOptions {
  std::string folder;          // task.data.folder, e.g. pathfinder32
  std::string difficulty;      // task.data.difficulty, e.g. curv_contour_length_14
  uint64_t split_seed = 42;    // task.data.split_seed: the shuffle before the 80/10/10 split
  int downsample = 1;          // task.data.downsample: k x k mean pooling (1 = none)
  int resolution = 0;          // task.data.resolution: expected image side (0 = take the first image's)
  size_t train_limit = 0, val_limit = 0, test_limit = 0;  // task.data.*_limit (0 = all)
};

struct PathfinderGenerateOptions {
  std::string folder;          // task.data.folder: where the loader will look
  std::string difficulty;      // task.generate.difficulty
  int resolution = 32;         // task.generate.resolution: 32 or 128
  int count = 0;               // task.generate.count: images in total, half of them positive
  int images_per_folder = 1000;  // task.generate.images_per_folder: images per imgs/<k> batch
  bool single_paddles = false;   // task.generate.single_paddles: add one-paddle distractors
  int distractor_snakes = -1;    // task.generate.distractor_snakes: -1 = the difficulty's own count
};

PathfinderDataOptions pathfinder_data_options(const nlohmann::json& task_config);
PathfinderGenerateOptions pathfinder_generate_options(const nlohmann::json& task_config);

}  // namespace lra
