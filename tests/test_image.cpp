// Image: the CIFAR-10 binary loader (TF grayscale on crafted records, mean pooling, the seeded
// train/val split), bad input, and the Fashion-MNIST generator reproducing the real pixels.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <array>
#include <cmath>
#include <set>

#include "data_test_support.h"
#include "core/errors.h"
#include "tasks/common/pixels.h"
#include "tasks/image/image.h"

using Catch::Matchers::Contains;
using lra::test::write_file;

namespace {

constexpr int kPixels = 1024;

// One CIFAR-10 record: label, then the R, G and B planes given per pixel by a function.
template <typename PixelFn>
std::string record(uint8_t label, PixelFn rgb) {
  std::string r(1, static_cast<char>(label));
  for (int channel = 0; channel < 3; ++channel)
    for (int i = 0; i < kPixels; ++i) r += static_cast<char>(rgb(i)[channel]);
  return r;
}

std::string plain_record(uint8_t label, uint8_t value) {
  return record(label, [&](int) { return std::array<uint8_t, 3>{value, value, value}; });
}

// Five training batches of `per_batch` records (label = running index % 10) and a test batch of one.
void write_batches(const std::string& root, int per_batch) {
  for (int b = 1; b <= 5; ++b) {
    std::string batch;
    for (int i = 0; i < per_batch; ++i) batch += plain_record(static_cast<uint8_t>(((b - 1) * per_batch + i) % 10), 0);
    write_file(root + "/cifar-10-batches-bin/data_batch_" + std::to_string(b) + ".bin", batch);
  }
  write_file(root + "/cifar-10-batches-bin/test_batch.bin", plain_record(3, 0));
}

// The grayscale formula of lra.md in double precision.
double gray_reference(int r, int g, int b) { return (0.2989 * r + 0.5870 * g + 0.1140 * b) / 255.0 * 255.5; }

std::string gunzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  REQUIRE(file != nullptr);
  std::string bytes;
  char buffer[65536];
  int n;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<size_t>(n));
  gzclose(file);
  return bytes;
}

}  // namespace

TEST_CASE("the Image loader applies TF's grayscale formula to a crafted CIFAR record", "[data][image]") {
  const std::string root = lra::test::scratch("image_gray").string();
  write_batches(root, 2);
  // Test record: pixel i has R = i % 256, G = (3i + 7) % 256, B = (5i + 11) % 256; pixel 0 pure red etc.
  auto rgb = [](int i) -> std::array<uint8_t, 3> {
    if (i == 0) return {255, 0, 0};
    if (i == 1) return {0, 255, 0};
    if (i == 2) return {0, 0, 255};
    if (i == 3) return {255, 255, 255};
    return {static_cast<uint8_t>(i % 256), static_cast<uint8_t>((3 * i + 7) % 256), static_cast<uint8_t>((5 * i + 11) % 256)};
  };
  write_file(root + "/cifar-10-batches-bin/test_batch.bin", record(7, rgb));
  const auto splits = lra::load_image(root, lra::test::task_config("image", "paper", {"task.data.val_examples=2"}));
  REQUIRE(splits.test.size() == 1);
  CHECK(splits.test.labels[0] == 7);
  REQUIRE(splits.test.document_length(0) == 1024);
  const uint16_t* tokens = splits.test.document(0);
  CHECK(tokens[0] == 76 + 1);   // 0.2989 * 255.5 = 76.37
  CHECK(tokens[1] == 149 + 1);  // 0.5870 * 255.5 = 149.98
  CHECK(tokens[2] == 29 + 1);   // 0.1140 * 255.5 = 29.13
  CHECK(tokens[3] == 255 + 1);  // 0.9999 * 255.5 = 255.47
  int compared = 0;
  for (int i = 4; i < kPixels; ++i) {
    const auto p = rgb(i);
    const double reference = gray_reference(p[0], p[1], p[2]);
    if (std::abs(reference - std::round(reference)) < 1e-3) continue;  // float32 vs double may differ at a boundary
    INFO("pixel " << i);
    CHECK(tokens[i] == static_cast<int>(reference) + 1);
    ++compared;
  }
  CHECK(compared > 1000);
}

TEST_CASE("the Image loader mean-pools with task.data.downsample", "[data][image]") {
  const std::string root = lra::test::scratch("image_pool").string();
  write_batches(root, 2);
  // 2x2 block at the top-left: gray 10, 20, 30, 41 -> mean 25.25 -> 25 (R = G = B keeps gray = value).
  auto rgb = [](int i) -> std::array<uint8_t, 3> {
    const int values[4] = {10, 20, 30, 41};
    const int y = i / 32, x = i % 32;
    const uint8_t v = y < 2 && x < 2 ? static_cast<uint8_t>(values[y * 2 + x]) : 200;
    return {v, v, v};
  };
  write_file(root + "/cifar-10-batches-bin/test_batch.bin", record(1, rgb));
  const auto splits =
      lra::load_image(root, lra::test::task_config("image", "paper", {"task.data.downsample=2", "task.data.val_examples=2"}));
  REQUIRE(splits.test.document_length(0) == 256);
  CHECK(splits.test.document(0)[0] == 25 + 1);
  CHECK(splits.test.document(0)[1] == 200 + 1);
  CHECK(lra::data::mean_pool(std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}.data(), 4, 4) ==
        std::vector<uint8_t>{9});  // 136 / 16 = 8.5 rounds half up
  CHECK_THROWS_WITH(lra::load_image(root, lra::test::task_config("image", "paper", {"task.data.downsample=3"})),
                    Contains("downsample must divide 32"));
}

TEST_CASE("the Image train/val split is a seeded partition of the training batches", "[data][image]") {
  const std::string root = lra::test::scratch("image_split").string();
  write_batches(root, 4);  // 20 training images
  const auto task = lra::test::task_config("image", "paper", {"task.data.val_examples=5"});
  const auto a = lra::load_image(root, task), b = lra::load_image(root, task);
  CHECK(a.train.size() == 15);
  CHECK(a.val.size() == 5);
  CHECK(a.val.ids == b.val.ids);
  std::set<std::string> all(a.train.ids.begin(), a.train.ids.end());
  all.insert(a.val.ids.begin(), a.val.ids.end());
  CHECK(all.size() == 20);
  const auto other = lra::load_image(root, lra::test::task_config("image", "paper", {"task.data.val_examples=5",
                                                                                    "task.data.split_seed=43"}));
  CHECK(other.val.ids != a.val.ids);
  CHECK_THROWS_WITH(lra::load_image(root, lra::test::task_config("image")), Contains("val_examples must be in 1..19"));
}

TEST_CASE("every kind of bad Image input is one UserError naming file:byte and the fix", "[data][image]") {
  const std::string root = lra::test::scratch("image_bad").string();
  const auto task = lra::test::task_config("image", "paper", {"task.data.val_examples=2"});
  const std::string batch3 = root + "/cifar-10-batches-bin/data_batch_3.bin";
  write_batches(root, 2);
  write_file(batch3, plain_record(1, 0) + plain_record(2, 0).substr(0, 3000));
  CHECK_THROWS_WITH(lra::load_image(root, task), Contains(batch3 + ":byte 3073:") && Contains("truncated record") &&
                                                     Contains("lra data generate --task image"));
  write_file(batch3, plain_record(1, 0) + plain_record(10, 0));
  CHECK_THROWS_WITH(lra::load_image(root, task), Contains(batch3 + ":byte 3073:") && Contains("label 10"));
  write_file(batch3, "");
  CHECK_THROWS_WITH(lra::load_image(root, task), Contains(batch3) && Contains("empty file"));
  write_batches(root, 2);
  std::filesystem::remove(root + "/cifar-10-batches-bin/test_batch.bin");
  CHECK_THROWS_WITH(lra::load_image(root, task), Contains("test_batch.bin: file not found"));
}

TEST_CASE("the Image generator writes real Fashion-MNIST pixels as CIFAR-10 batches", "[data][image]") {
  const std::string fashion = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(fashion + "/train-images-idx3-ubyte.gz"))
    FAIL("Fashion-MNIST is not installed: run scripts/setup.sh (installs dataset-fashion-mnist)");
  const std::string root = lra::test::scratch("image_generate").string(), again = lra::test::scratch("image_generate_again").string();
  const auto task = lra::test::task_config("image", "paper",
                                          {"task.generate.train=50", "task.generate.test=10", "task.data.val_examples=5"});
  lra::generate_image(root, task, 1);
  lra::generate_image(again, task, 1);
  CHECK(lra::test::snapshot(root) == lra::test::snapshot(again));
  CHECK(lra::test::read_file(root + "/cifar-10-batches-bin/data_batch_1.bin").size() == 10 * 3073);
  const auto dataset = nlohmann::json::parse(lra::test::read_file(root + "/cifar-10-batches-bin/DATASET.json"));
  CHECK(dataset["substitute"] == true);

  const std::string images = gunzip(fashion + "/train-images-idx3-ubyte.gz");
  const std::string labels = gunzip(fashion + "/train-labels-idx1-ubyte.gz");
  const auto splits = lra::load_image(root, task);
  CHECK(splits.train.size() + splits.val.size() == 50);
  CHECK(splits.test.size() == 10);
  int checked = 0;
  for (size_t i = 0; i < splits.train.size(); ++i) {
    // id "data_batch_<b>.bin#<k>": Fashion-MNIST training image (b - 1) * 10 + k
    const std::string& id = splits.train.ids[i];
    const size_t index = (static_cast<size_t>(id[11] - '1')) * 10 + std::stoul(id.substr(id.find('#') + 1));
    INFO(id);
    CHECK(splits.train.labels[i] == static_cast<uint8_t>(labels[8 + index]));
    const uint16_t* tokens = splits.train.document(i);
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
        const int expected = inside ? static_cast<uint8_t>(images[16 + index * 784 + static_cast<size_t>((y - 2) * 28 + x - 2)]) : 0;
        if (tokens[y * 32 + x] != expected + 1) FAIL("pixel (" << y << "," << x << ") differs");
      }
    ++checked;
  }
  CHECK(checked == 45);
}
