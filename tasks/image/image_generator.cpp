// Image substitute data: Fashion-MNIST (gzip'd IDX files) rewritten as CIFAR-10 binary batches.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/image/image.h"

namespace lra {
namespace {

constexpr int kMnistSide = 28;
constexpr int kPad = (kImageSide - kMnistSide) / 2;  // 2 px of black on every side

// Fashion-MNIST's largest file is 47 MB unpacked; this bounds what a corrupt or hostile .gz can cost.
constexpr size_t kMaxUnpackedBytes = size_t{256} << 20;

uint32_t big_endian(const std::string& bytes, size_t offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

std::string read_idx(const std::string& path, uint32_t magic, size_t item_bytes, const std::string& hint,
                     size_t& count) {
  const std::string bytes = data::read_gzip(path, kMaxUnpackedBytes, hint);
  const size_t header = magic == 0x803 ? 16 : 8;
  if (bytes.size() < header || big_endian(bytes, 0) != magic) {
    char expected[16];
    std::snprintf(expected, sizeof expected, "0x%08X", magic);
    data::fail(path, std::string("not an IDX file with magic ") + expected + " (" +
                         (magic == 0x803 ? "images" : "labels") + ")", hint);
  }
  count = big_endian(bytes, 4);
  if (magic == 0x803 && (big_endian(bytes, 8) != kMnistSide || big_endian(bytes, 12) != kMnistSide))
    data::fail(path, "expected 28x28 images", hint);
  if (bytes.size() != header + count * item_bytes)
    data::fail(path, "size " + std::to_string(bytes.size()) + " does not match " + std::to_string(count) + " items",
               hint);
  return bytes.substr(header);
}

namespace {

struct MnistSplit {
  std::string images, labels;
  size_t count = 0;
};

MnistSplit read_fashion_mnist(const std::string& dir, const std::string& prefix, const std::string& hint) {
  MnistSplit split;
  size_t label_count = 0;
  split.images = read_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz", 0x803, kMnistSide * kMnistSide, hint, split.count);
  split.labels = read_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", 0x801, 1, hint, label_count);
  if (label_count != split.count)
    data::fail(dir, prefix + ": " + std::to_string(split.count) + " images but " + std::to_string(label_count) + " labels", hint);
  return split;
}

// Writes images [first, last) of `split` as CIFAR-10 records.
void write_batch(const std::string& path, const MnistSplit& split, size_t first, size_t last) {
  std::string out;
  out.reserve((last - first) * kCifarRecordBytes);
  std::string plane(kImageSide * kImageSide, '\0');
  for (size_t i = first; i < last; ++i) {
    const char* image = split.images.data() + i * kMnistSide * kMnistSide;
    for (int y = 0; y < kMnistSide; ++y)
      for (int x = 0; x < kMnistSide; ++x)
        plane[static_cast<size_t>((y + kPad) * kImageSide + x + kPad)] = image[y * kMnistSide + x];
    out += split.labels[i];
    for (int channel = 0; channel < 3; ++channel) out += plane;  // R = G = B
  }
  data::write_file(path, out);
}

}  // namespace

void generate_image(const std::string& data_dir, const nlohmann::json& task, uint64_t seed) {
  const std::string source = data::get_string(task, "generate", "source");
  if (source != "fashion-mnist")
    throw UserError("task.generate.source '" + source + "' is not available offline (known: fashion-mnist)");
  const std::string dir = data::get_string(task, "generate", "fashion_mnist_dir");
  const std::string hint = "install Debian's dataset-fashion-mnist (scripts/setup.sh) or set task.generate.fashion_mnist_dir";
  const int64_t wanted[2] = {data::get_int(task, "generate", "train"), data::get_int(task, "generate", "test")};
  const MnistSplit train = read_fashion_mnist(dir, "train", hint);
  const MnistSplit test = read_fashion_mnist(dir, "t10k", hint);
  if (wanted[0] < 5 || static_cast<size_t>(wanted[0]) > train.count || wanted[1] < 1 ||
      static_cast<size_t>(wanted[1]) > test.count)
    throw UserError("task.generate.train must be in 5.." + std::to_string(train.count) + " and task.generate.test in 1.." +
                    std::to_string(test.count) + "; got " + std::to_string(wanted[0]) + " and " + std::to_string(wanted[1]));

  data::StagingFolder staging(data_dir, data::get_string(task, "data", "folder"));
  const auto n_train = static_cast<size_t>(wanted[0]);
  for (size_t b = 0; b < 5; ++b)
    write_batch(staging.path() + "/data_batch_" + std::to_string(b + 1) + ".bin", train, b * n_train / 5,
                (b + 1) * n_train / 5);
  write_batch(staging.path() + "/test_batch.bin", test, 0, static_cast<size_t>(wanted[1]));
  data::write_file(staging.path() + "/batches.meta.txt",
                   "T-shirt/top\nTrouser\nPullover\nDress\nCoat\nSandal\nShirt\nSneaker\nBag\nAnkle boot\n");
  const nlohmann::json parameters{{"source", source}, {"fashion_mnist_dir", dir},      {"train", wanted[0]},
                                  {"test", wanted[1]}, {"padding", "28x28 -> 32x32, 2 px of 0 per side"},
                                  {"channels", "gray replicated to R=G=B"}};
  staging.commit(data::dataset_json(
      "Fashion-MNIST (Debian dataset-fashion-mnist) as a SUBSTITUTE for CIFAR-10", "lra data generate --task image",
      parameters, seed, {{"train", wanted[0]}, {"test", wanted[1]}}, /*substitute=*/true,
      "Real Fashion-MNIST images (10 classes) padded to 32x32 and written as CIFAR-10 binary batches; the train/val "
      "split is made by the loader (task.data.val_examples, split_seed). Deterministic: the seed is not used."));
}

}  // namespace lra
