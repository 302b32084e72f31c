#pragma once
// The Pathfinder release layout the two Pathfinder fuzz targets write into (one difficulty folder):
//   <root>/pf/curv_baseline/metadata/0.npy   and   imgs/0/sample_<n>.png
#include <string>

#include "fuzz/fuzz_support.h"
#include "lra/config/config.h"
#include "tasks/pathfinder/png_io.h"

namespace lra_fuzz {

struct PathfinderLayout {
  lra::Json task;
  fs::path root = scratch() / "data";
  fs::path difficulty = root / "pf" / "curv_baseline";

  PathfinderLayout() {
    task = lra::resolve_config({"pathfinder", "transformer", "smoke", {}, ""})["task"];
    task["data"]["folder"] = "pf";
    task["data"]["difficulty"] = "curv_baseline";
    task["data"]["resolution"] = 0;  // take the first image's side, so that path runs too
    task["data"]["downsample"] = 2;
    task["data"]["train_limit"] = task["data"]["val_limit"] = task["data"]["test_limit"] = 0;
    fs::create_directories(difficulty / "metadata");
    fs::create_directories(difficulty / "imgs" / "0");
  }

  fs::path image(int n) const { return difficulty / "imgs" / "0" / ("sample_" + std::to_string(n) + ".png"); }
  fs::path metadata() const { return difficulty / "metadata" / "0.npy"; }
};

// A 32x32 gray image with a diagonal stroke, PNG-encoded.
inline std::string test_png(int side = 32, int shade = 255) {
  lra::GrayImage image(side, side);
  for (int i = 0; i < side; ++i) image.at(i, i) = static_cast<uint8_t>(shade);
  const auto bytes = lra::encode_gray_png(image);
  return std::string(bytes.begin(), bytes.end());
}

inline std::string metadata_row(int n, int label) {
  return "imgs/0 sample_" + std::to_string(n) + ".png " + std::to_string(n) + " " + std::to_string(label) +
         " 1.0 14 14 5 1.5 2 1\n";
}

}  // namespace lra_fuzz
