// Image loader: CIFAR-10 binary batches -> grayscale pixel tokens.
#include <filesystem>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/pixels.h"
#include "tasks/common/random.h"
#include "tasks/image/image.h"

namespace lra {
namespace {

constexpr int kPixels = kImageSide * kImageSide;

// Appends every record of one batch file to `out`.
void load_batch(const std::string& path, int64_t classes, int downsample, const std::string& hint, Dataset& out) {
  const std::string bytes = data::read_bytes(path, hint);
  if (bytes.empty()) data::fail(path, "empty file (0 bytes); expected 3073-byte CIFAR-10 records", hint);
  if (bytes.size() % kCifarRecordBytes != 0) {
    const size_t cut = bytes.size() - bytes.size() % kCifarRecordBytes;
    data::fail(path + ":byte " + std::to_string(cut),
               "truncated record: " + std::to_string(bytes.size()) + " bytes is not a whole number of 3073-byte " +
                   "records (label + 1024 R + 1024 G + 1024 B)",
               hint);
  }
  const std::string file = std::filesystem::path(path).filename().string();
  std::vector<uint8_t> gray(kPixels);
  std::vector<uint16_t> tokens;
  for (size_t offset = 0, index = 0; offset < bytes.size(); offset += kCifarRecordBytes, ++index) {
    const auto* record = reinterpret_cast<const uint8_t*>(bytes.data() + offset);
    if (record[0] >= classes)
      data::fail(path + ":byte " + std::to_string(offset),
                 "label " + std::to_string(record[0]) + " of record " + std::to_string(index) + " is out of range " +
                     "(expected 0.." + std::to_string(classes - 1) + ")",
                 hint);
    const uint8_t* red = record + 1;
    for (int i = 0; i < kPixels; ++i) gray[static_cast<size_t>(i)] = data::tf_grayscale(red[i], red[i + kPixels], red[i + 2 * kPixels]);
    const std::vector<uint8_t> pixels = downsample == 1 ? gray : data::mean_pool(gray.data(), kImageSide, downsample);
    tokens.resize(pixels.size());
    for (size_t i = 0; i < pixels.size(); ++i) tokens[i] = static_cast<uint16_t>(pixels[i] + 1);
    out.add_document(tokens);
    out.add_label(record[0], file + "#" + std::to_string(index));
  }
}

}  // namespace

TaskSplits load_image(const std::string& data_dir, const nlohmann::json& task, SplitsToRead which) {
  const std::string folder = data::task_folder(data_dir, task);
  const std::string hint = data::regenerate_hint("image", data_dir);
  const int64_t classes = task.at("classes").get<int64_t>();
  const int64_t downsample = data::get_int(task, "data", "downsample");
  if (downsample < 1 || downsample > kImageSide || kImageSide % downsample != 0)
    throw UserError("task.data.downsample must divide 32 (1, 2, 4, 8, 16, 32), got " + std::to_string(downsample));
  const int64_t val_examples = data::get_int(task, "data", "val_examples");
  data::require_folder(folder, hint);

  Dataset train_all, test;
  for (int b = 1; b <= 5; ++b)
    load_batch(folder + "/data_batch_" + std::to_string(b) + ".bin", classes, static_cast<int>(downsample), hint,
               train_all);
  if (which == SplitsToRead::all)
    load_batch(folder + "/test_batch.bin", classes, static_cast<int>(downsample), hint, test);
  if (val_examples < 1 || static_cast<size_t>(val_examples) >= train_all.size())
    throw UserError("task.data.val_examples must be in 1.." + std::to_string(train_all.size() - 1) + " (the " +
                    std::to_string(train_all.size()) + " training images of " + folder + "), got " +
                    std::to_string(val_examples));

  std::vector<size_t> order(train_all.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  data::Rng rng(static_cast<uint64_t>(data::get_int(task, "data", "split_seed")));
  data::shuffle_in_place(order, rng);
  const auto cut = order.begin() + static_cast<std::ptrdiff_t>(val_examples);
  TaskSplits splits;
  splits.val = data::subset(train_all, {order.begin(), cut});
  splits.train = data::subset(train_all, {cut, order.end()});
  splits.test = std::move(test);
  data::apply_limits(splits, task);
  splits.provenance_json = data::provenance_json(folder, data_dir);
  return splits;
}

}  // namespace lra
