// Pathfinder: PNG round trip, the generator (determinism, balance), the loader on a generated
// folder (split, tokens, pooling, limits, zero-byte images) and every bad-input class.
#include <catch2/catch.hpp>

#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "lra/config/config.h"
#include "core/errors.h"
#include "tasks/pathfinder/pathfinder.h"
#include "tasks/pathfinder/options.h"
#include "tasks/pathfinder/png_io.h"
#include "tasks/pathfinder/snakes.h"
#include "scratch.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

const std::string kDifficulty = "curv_contour_length_14";

json task_config(int count, int resolution = 32) {
  const std::string folder = "pathfinder" + std::to_string(resolution);
  return {{"data", {{"folder", folder}, {"difficulty", kDifficulty}, {"resolution", resolution}, {"split_seed", 42}}},
          {"generate", {{"resolution", resolution}, {"difficulty", kDifficulty}, {"count", count},
                        {"images_per_folder", 20}}}};
}

// A generated 32x32 folder with `count` images; returns the data_dir.
fs::path generated(const std::string& name, int count, uint64_t seed = 7) {
  fs::path dir = lra::test::scratch(name);
  lra::generate_pathfinder(dir.string(), task_config(count), seed);
  return dir;
}

fs::path difficulty_dir(const fs::path& data_dir) { return data_dir / "pathfinder32" / kDifficulty; }

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every file under a folder, relative path -> bytes.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = bytes_of(e.path());
  return files;
}

void replace_metadata_line(const fs::path& data_dir, int line_index, const std::string& text) {
  const fs::path meta = difficulty_dir(data_dir) / "metadata" / "0.npy";
  std::vector<std::string> lines;
  std::ifstream in(meta);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  lines.at(static_cast<size_t>(line_index)) = text;
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  lra::write_text_atomically(meta.string(), joined);
}

}  // namespace

TEST_CASE("a grayscale PNG written and read back has the same pixels", "[data][pathfinder]") {
  lra::GrayImage image(19, 7);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 37 % 256);
  const fs::path file = lra::test::scratch("png") / "a.png";
  lra::write_gray_png(file.string(), image);
  const lra::GrayImage back = lra::read_gray_png(file.string());
  CHECK(back.width == 19);
  CHECK(back.height == 7);
  CHECK(back.pixels == image.pixels);
  const std::vector<uint8_t> bytes = lra::encode_gray_png(image);
  CHECK(lra::decode_gray_png(bytes.data(), bytes.size(), "memory").pixels == image.pixels);
}

TEST_CASE("the PNG reader rejects a colour image and names the file", "[data][pathfinder]") {
  png_image rgb{};
  rgb.version = PNG_IMAGE_VERSION;
  rgb.width = rgb.height = 4;
  rgb.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> pixels(4 * 4 * 3, 200), encoded(4096);
  png_alloc_size_t size = encoded.size();
  REQUIRE(png_image_write_to_memory(&rgb, encoded.data(), &size, 0, pixels.data(), 0, nullptr));
  CHECK_THROWS_WITH(lra::decode_gray_png(encoded.data(), size, "x/rgb.png"),
                    Contains("x/rgb.png") && Contains("expected an 8-bit grayscale PNG") && Contains("RGB"));
}

TEST_CASE("the generator is deterministic given the seed", "[data][pathfinder]") {
  const auto a = tree(difficulty_dir(generated("det_a", 12, 5)));
  const auto b = tree(difficulty_dir(generated("det_b", 12, 5)));
  const auto c = tree(difficulty_dir(generated("det_c", 12, 6)));
  CHECK(a.size() == 12 + 1 + 1);  // images, one metadata file, DATASET.json
  CHECK(a == b);
  CHECK(a != c);
  const auto params = lra::pathfinder_params(128, "curv_baseline");
  CHECK(lra::render_pathfinder_image(params, 1, 99).pixels == lra::render_pathfinder_image(params, 1, 99).pixels);
}

TEST_CASE("generated images are RxR, use the full 0..255 range and labels are exactly balanced",
          "[data][pathfinder]") {
  const fs::path data_dir = generated("balance", 50);
  const fs::path root = difficulty_dir(data_dir);
  CHECK(fs::exists(root / "metadata" / "2.npy"));  // 20 images per folder: 0, 1, 2
  CHECK(fs::exists(root / "imgs" / "2" / "sample_9.png"));
  int positives = 0, rows = 0;
  for (int k = 0; k < 3; ++k) {
    std::ifstream in(root / "metadata" / (std::to_string(k) + ".npy"));
    for (std::string line; std::getline(in, line); ++rows) {
      std::istringstream fields(line);
      std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
      REQUIRE(f.size() == 11);
      CHECK(f[0] == "imgs/" + std::to_string(k));
      CHECK(f[5] == "14");
      positives += f[3] == "1";
      const lra::GrayImage image = lra::read_gray_png((root / f[0] / f[1]).string());
      CHECK(image.width == 32);
      CHECK(*std::max_element(image.pixels.begin(), image.pixels.end()) == 255);
      CHECK(*std::min_element(image.pixels.begin(), image.pixels.end()) == 0);
    }
  }
  CHECK(rows == 50);
  CHECK(positives == 25);
  const json manifest = json::parse(lra::read_text_file((root / "DATASET.json").string()));
  CHECK(manifest["source"] == "generated");
  CHECK(manifest["substitute"] == false);
  CHECK(manifest["counts"]["positive"] == 25);
  CHECK(manifest["parameters"]["contour_length"] == 14);
}

TEST_CASE("the loader splits a generated folder 80/10/10 into tokens 1..256", "[data][pathfinder]") {
  const fs::path data_dir = generated("load", 60);
  const lra::TaskSplits splits = lra::load_pathfinder(data_dir.string(), task_config(60));
  CHECK(splits.train.size() == 48);
  CHECK(splits.val.size() == 6);
  CHECK(splits.test.size() == 6);
  std::set<std::string> ids;
  for (const lra::Dataset* d : {&splits.train, &splits.val, &splits.test}) {
    REQUIRE(d->documents() == d->size());
    for (size_t i = 0; i < d->size(); ++i) {
      CHECK(d->document_length(i) == 1024);
      ids.insert(d->ids[i]);
    }
    CHECK(*std::min_element(d->tokens.begin(), d->tokens.end()) >= 1);
    CHECK(*std::max_element(d->tokens.begin(), d->tokens.end()) == 256);
  }
  CHECK(ids.size() == 60);  // no example in two splits
  const json provenance = json::parse(splits.provenance_json);
  CHECK(provenance["source"] == "generated");
  CHECK(provenance["zero_byte_images_skipped"] == 0);

  // The split is a function of split_seed alone.
  const lra::TaskSplits again = lra::load_pathfinder(data_dir.string(), task_config(60));
  CHECK(again.train.ids == splits.train.ids);
  CHECK(again.train.tokens == splits.train.tokens);
  json other = task_config(60);
  other["data"]["split_seed"] = 43;
  CHECK(lra::load_pathfinder(data_dir.string(), other).train.ids != splits.train.ids);
}

TEST_CASE("downsample mean-pools k x k pixels and limits keep the first examples of each split",
          "[data][pathfinder]") {
  const fs::path data_dir = generated("pool", 40);
  const lra::TaskSplits full = lra::load_pathfinder(data_dir.string(), task_config(40));
  json config = task_config(40);
  config["data"]["downsample"] = 4;
  config["data"]["train_limit"] = 5;
  config["data"]["test_limit"] = 1;
  const lra::TaskSplits pooled = lra::load_pathfinder(data_dir.string(), config);
  CHECK(pooled.train.size() == 5);
  CHECK(pooled.val.size() == 4);
  CHECK(pooled.test.size() == 1);
  CHECK(pooled.train.ids[4] == full.train.ids[4]);
  CHECK(pooled.train.document_length(0) == 64);
  // Block (1, 2) of the first training image, from the full-resolution tokens (gray + 1).
  const uint16_t* pixels = full.train.document(0);
  int sum = 0;
  for (int y = 4; y < 8; ++y)
    for (int x = 8; x < 12; ++x) sum += pixels[y * 32 + x] - 1;
  CHECK(pooled.train.document(0)[1 * 8 + 2] == (sum + 8) / 16 + 1);
}

TEST_CASE("a zero-byte PNG is skipped and counted", "[data][pathfinder]") {
  const fs::path data_dir = generated("empty", 30);
  std::ofstream(difficulty_dir(data_dir) / "imgs" / "0" / "sample_3.png", std::ios::trunc).close();
  const lra::TaskSplits splits = lra::load_pathfinder(data_dir.string(), task_config(30));
  CHECK(splits.train.size() + splits.val.size() + splits.test.size() == 29);
  CHECK(json::parse(splits.provenance_json)["zero_byte_images_skipped"] == 1);
}

TEST_CASE("a corrupt PNG is a UserError naming the file and its metadata line", "[data][pathfinder]") {
  const fs::path data_dir = generated("corrupt", 20);
  const fs::path image = difficulty_dir(data_dir) / "imgs" / "0" / "sample_4.png";
  const std::string good = bytes_of(image);
  std::ofstream(image, std::ios::binary | std::ios::trunc) << good.substr(0, good.size() / 2);
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains("imgs/0/sample_4.png") && Contains("0.npy:5") && Contains("cannot decode PNG"));
  std::ofstream(image, std::ios::binary | std::ios::trunc) << "not a png at all";
  CHECK_THROWS_AS(lra::load_pathfinder(data_dir.string(), task_config(20)), lra::UserError);
}

TEST_CASE("an image of the wrong size is a UserError naming the file and the expected size", "[data][pathfinder]") {
  const fs::path data_dir = generated("size", 20);
  const fs::path image = difficulty_dir(data_dir) / "imgs" / "0" / "sample_11.png";
  lra::write_gray_png(image.string(), lra::GrayImage(31, 32));
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains("sample_11.png") && Contains("31x32") && Contains("expected 32x32"));
}

TEST_CASE("a bad metadata row is a UserError naming file:line and the expected form", "[data][pathfinder]") {
  const fs::path data_dir = generated("rows", 20);
  replace_metadata_line(data_dir, 2, "imgs/0 sample_2.png 2");
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains("0.npy:3") && Contains("expected at least 4") && Contains("got 3"));
  replace_metadata_line(data_dir, 2, "imgs/0 sample_2.png 2 yes 1.0 14 4 2 0.5 1 1");
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains("0.npy:3") && Contains("must be the integer 0 or 1") && Contains("'yes'"));
  replace_metadata_line(data_dir, 2, "imgs/0 sample_2.png 2 2 1.0 14 4 2 0.5 1 1");
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains("0.npy:3") && Contains("out of range"));
  replace_metadata_line(data_dir, 2, "imgs/0 sample_999.png 2 1 1.0 14 4 2 0.5 1 1");
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains("0.npy:3") && Contains("sample_999.png"));
}

TEST_CASE("a missing folder is a UserError naming the path", "[data][pathfinder]") {
  const fs::path data_dir = lra::test::scratch("missing");
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)),
                    Contains((data_dir / "pathfinder32" / kDifficulty).string()) && Contains("not found"));
  fs::create_directories(difficulty_dir(data_dir) / "imgs");
  CHECK_THROWS_WITH(lra::load_pathfinder(data_dir.string(), task_config(20)), Contains("metadata"));
}

TEST_CASE("an unknown task.data key or a bad value is a UserError naming the key", "[data][pathfinder]") {
  json config = task_config(20);
  config["data"]["downsampel"] = 2;
  CHECK_THROWS_WITH(lra::load_pathfinder("/nonexistent", config), Contains("task.data.downsampel"));
  config = task_config(20);
  config["data"]["downsample"] = 3;
  CHECK_THROWS_WITH(lra::load_pathfinder("/nonexistent", config), Contains("must divide"));
  config = task_config(20);
  config["generate"]["resolution"] = 48;
  CHECK_THROWS_WITH(lra::generate_pathfinder(lra::test::scratch("res").string(), config, 1), Contains("known: 32, 128"));
}

TEST_CASE("the generator replaces its own folder but refuses one it did not write", "[data][pathfinder]") {
  const fs::path data_dir = generated("replace", 30);
  lra::generate_pathfinder(data_dir.string(), task_config(10), 7);
  CHECK_FALSE(fs::exists(difficulty_dir(data_dir) / "metadata" / "1.npy"));  // the old, larger run is gone
  fs::remove(difficulty_dir(data_dir) / "DATASET.json");
  CHECK_THROWS_WITH(lra::generate_pathfinder(data_dir.string(), task_config(10), 7),
                    Contains("was not written by this generator"));
}

TEST_CASE("the contact sheet tiles positives and negatives into one PNG", "[data][pathfinder]") {
  const fs::path data_dir = generated("sheet", 20);
  const fs::path out = data_dir / "sheet.png";
  lra::write_pathfinder_contact_sheet(data_dir.string(), "pathfinder32", kDifficulty, out.string(), 4);
  const lra::GrayImage sheet = lra::read_gray_png(out.string());
  CHECK(sheet.width == 6 + 4 * (128 + 6));
  CHECK(sheet.height > 2 * 128);
}

TEST_CASE("every shipped profile gives pathfinder and pathx keys the loader and generator accept",
          "[data][pathfinder]") {
  for (const std::string task : {"pathfinder", "pathx"})
    for (const std::string profile : {"paper", "cpu", "smoke"}) {
      INFO(task << " / " << profile);
      const json config = lra::resolve_config({task, "transformer", profile, {}, ""});
      const lra::PathfinderDataOptions data = lra::pathfinder_data_options(config["task"]);
      const lra::PathfinderGenerateOptions generate = lra::pathfinder_generate_options(config["task"]);
      CHECK(data.resolution == generate.resolution);
      CHECK(data.folder == "pathfinder" + std::to_string(generate.resolution));
      CHECK_NOTHROW(lra::pathfinder_params(generate.resolution, generate.difficulty));
      // The pooled image plus CLS fits max_len.
      const int side = data.resolution / data.downsample;
      CHECK(side * side + 1 <= config["task"]["max_len"].get<int>());
    }
}
