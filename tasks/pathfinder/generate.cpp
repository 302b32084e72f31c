// generate_pathfinder: writes a generated difficulty folder in the release layout (pathfinder.h).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "tasks/pathfinder/metadata.h"
#include "tasks/pathfinder/options.h"
#include "tasks/pathfinder/parallel.h"
#include "tasks/pathfinder/pathfinder.h"
#include "tasks/pathfinder/random.h"
#include "tasks/pathfinder/snakes.h"

namespace lra {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kLabelStream = 0x1abe15;  // seeds the label shuffle apart from the images' seeds

// Generated folders say so in DATASET.json; anything else (the real release) is never deleted.
void check_replaceable(const fs::path& dir) {
  std::error_code error;
  if (!fs::exists(dir, error)) return;
  const fs::path manifest = dir / "DATASET.json";
  bool generated = false;
  if (fs::exists(manifest, error)) {
    try {
      generated = nlohmann::json::parse(read_text_file(manifest.string())).value("source", "") == "generated";
    } catch (const nlohmann::json::exception&) {
    }
  }
  if (!generated)
    throw UserError(dir.string() + " exists and was not written by this generator (no DATASET.json with "
                    "source \"generated\"); move it away or choose another --data-dir");
}

// Exactly count/2 positives, in a seeded random order.
std::vector<int> balanced_labels(int count, uint64_t seed) {
  std::vector<int> labels(static_cast<size_t>(count), 0);
  for (int i = 0; i < count / 2; ++i) labels[static_cast<size_t>(i)] = 1;
  Rng rng(mix_seed(seed, kLabelStream));
  rng.shuffle(labels);
  return labels;
}

}  // namespace

void generate_pathfinder(const std::string& data_dir, const nlohmann::json& task_config, uint64_t seed) {
  const PathfinderGenerateOptions options = pathfinder_generate_options(task_config);
  SnakeParams params = pathfinder_params(options.resolution, options.difficulty);
  params.single_paddles = options.single_paddles;
  if (options.distractor_snakes >= 0) params.distractor_snakes = options.distractor_snakes;

  const fs::path final_dir = fs::path(data_dir) / options.folder / options.difficulty;
  check_replaceable(final_dir);
  // Everything is written into a temporary sibling and renamed at the end, so an interrupted run
  // never leaves a half-written dataset where the loader would find it.
  const fs::path temp_dir =
      fs::path(data_dir) / options.folder / ("." + options.difficulty + ".tmp." + std::to_string(::getpid()));
  fs::remove_all(temp_dir);
  const int per_folder = options.images_per_folder;
  const int folders = (options.count + per_folder - 1) / per_folder;
  for (int k = 0; k < folders; ++k) fs::create_directories(temp_dir / "imgs" / std::to_string(k));
  fs::create_directories(temp_dir / "metadata");

  try {
    const std::vector<int> labels = balanced_labels(options.count, seed);
    std::vector<int> margins(labels.size(), 0);
    parallel_for(labels.size(), pathfinder_threads(), [&](size_t i) {
      const GrayImage image = render_pathfinder_image(params, labels[i], mix_seed(seed, i), &margins[i]);
      const fs::path file = temp_dir / "imgs" / std::to_string(i / per_folder) /
                            ("sample_" + std::to_string(i % per_folder) + ".png");
      write_gray_png(file.string(), image);
    });

    for (int k = 0; k < folders; ++k) {
      std::string rows;
      for (int n = 0; n < per_folder && k * per_folder + n < options.count; ++n) {
        const size_t i = static_cast<size_t>(k) * per_folder + n;
        rows += format_metadata_row(k, n, labels[i], params.continuity, params.contour_length,
                                    params.distractor_length, params.paddle_length, params.paddle_thickness,
                                    margins[i], /*n_contrasts=*/1) +
                "\n";
      }
      write_text_atomically((temp_dir / "metadata" / (std::to_string(k) + ".npy")).string(), rows);
    }

    const int positives = options.count / 2;
    nlohmann::json manifest = {
        {"source", "generated"},
        {"generator", "lra Pathfinder generator: Linsley et al. 2018 snakes (snakes2.py), reimplemented"},
        {"substitute", false},
        {"resolution", options.resolution},
        {"difficulty", options.difficulty},
        {"parameters", params.to_json()},
        {"seed", seed},
        {"counts", {{"images", options.count}, {"positive", positives}, {"negative", options.count - positives},
                    {"folders", folders}, {"images_per_folder", per_folder}}},
    };
    write_json_atomically((temp_dir / "DATASET.json").string(), manifest);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp_dir, ignored);
    throw;
  }
  fs::remove_all(final_dir);
  fs::rename(temp_dir, final_dir);
}

}  // namespace lra
