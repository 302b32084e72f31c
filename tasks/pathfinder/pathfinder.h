#pragma once
// Pathfinder (LRA "Pathfinder" at 32x32 and "Path-X" at 128x128): does a path of dashes connect the
// two marker dots? Files in the LRA release layout (lra_release/pathfinder*, as
// google-research/long-range-arena cd31e5c lra_benchmarks/image/input_pipeline.py reads them):
//   <data_dir>/<folder>/<difficulty>/imgs/<k>/sample_<n>.png    8-bit grayscale RxR
//   <data_dir>/<folder>/<difficulty>/metadata/<k>.npy           plain text, one row per image:
//     imgs/<k> sample_<n>.png <n> <label> <continuity> <contour_len> <distractor_len>
//     <paddle_len> <paddle_thickness> <paddle_margin> <n_contrasts>
// folder = pathfinder32 | pathfinder128 (any name works), difficulty = curv_baseline |
// curv_contour_length_9 | curv_contour_length_14. Registered in tasks/registry.cpp.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"

namespace lra {

// Reads every metadata/*.npy row of task.data.{folder,difficulty}, decodes the PNGs to tokens
// gray+1 (1..256), optionally mean-pooled task.data.downsample x task.data.downsample, and splits
// 80/10/10 after a shuffle seeded by task.data.split_seed. Zero-byte PNGs (one exists in the
// release) are skipped and counted in the provenance. Only the examples kept by
// task.data.{train,val,test}_limit are decoded. UserError (file:line, what was expected) on bad input.
TaskSplits load_pathfinder(const std::string& data_dir, const nlohmann::json& task_config,
                      SplitsToRead which = SplitsToRead::all);

// Generates task.generate.count images (half positive) with the Linsley et al. snake generator at
// task.generate.resolution (32 or 128) and task.generate.difficulty, into
// <data_dir>/<task.data.folder>/<difficulty>/ with a DATASET.json. Deterministic given `seed`.
// Replaces a previously generated folder; refuses to touch one it did not generate.
void generate_pathfinder(const std::string& data_dir, const nlohmann::json& task_config, uint64_t seed);

// <data_dir>/<task.data.folder>/<task.data.difficulty>: the one difficulty the loader reads.
std::string pathfinder_data_folder(const std::string& data_dir, const nlohmann::json& task_config);

// Tiles the first `count` positives and `count` negatives of a folder, scaled up, each with a label
// strip under it (white = connected/positive, black = not connected/negative), into one PNG.
void write_pathfinder_contact_sheet(const std::string& data_dir, const std::string& folder,
                                    const std::string& difficulty, const std::string& out_png, int count);

}  // namespace lra
