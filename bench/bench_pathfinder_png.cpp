// Pathfinder input cost: decoding and tokenising one 32x32 PNG, and loading a whole folder
// (metadata, stat, shuffle, parallel decode) per image.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "tasks/pathfinder/pathfinder.h"
#include "tasks/pathfinder/png_io.h"
#include "tasks/pathfinder/snakes.h"
#include "tasks/pathfinder/tokenise.h"

namespace {

constexpr int kFolderImages = 2000;

std::vector<uint8_t> sample_png_32() {
  const lra::SnakeParams params = lra::pathfinder_params(32, "curv_contour_length_14");
  return lra::encode_gray_png(lra::render_pathfinder_image(params, /*label=*/1, /*seed=*/1));
}

void BM_PathfinderDecodeTokenise32(benchmark::State& state) {
  const std::vector<uint8_t> png = sample_png_32();
  std::vector<uint16_t> tokens(1024);
  for (auto _ : state) {
    const lra::GrayImage image = lra::decode_gray_png(png.data(), png.size(), "bench");
    lra::tokenise_pathfinder(image, 1, tokens.data());
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["png_bytes"] = static_cast<double>(png.size());
}
BENCHMARK(BM_PathfinderDecodeTokenise32);

// A generated folder of kFolderImages 32x32 images, made once per process.
const std::string& bench_folder() {
  static const std::string dir = [] {
    const auto path = std::filesystem::temp_directory_path() / ("lra_bench_pathfinder_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    const nlohmann::json task = {
        {"data", {{"folder", "pathfinder32"}, {"difficulty", "curv_contour_length_14"}, {"resolution", 32}}},
        {"generate", {{"resolution", 32}, {"difficulty", "curv_contour_length_14"}, {"count", kFolderImages}}}};
    lra::generate_pathfinder(path.string(), task, 1);
    return path.string();
  }();
  return dir;
}

void BM_PathfinderLoadFolder32(benchmark::State& state) {
  const nlohmann::json task = {
      {"data", {{"folder", "pathfinder32"}, {"difficulty", "curv_contour_length_14"}, {"resolution", 32}}}};
  const std::string& dir = bench_folder();
  for (auto _ : state) {
    lra::TaskSplits splits = lra::load_pathfinder(dir, task);
    benchmark::DoNotOptimize(splits.train.tokens.data());
  }
  state.SetItemsProcessed(state.iterations() * kFolderImages);
}
BENCHMARK(BM_PathfinderLoadFolder32)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
