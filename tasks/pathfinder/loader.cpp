// load_pathfinder: release-layout Pathfinder folder -> train/val/test token datasets (pathfinder.h).
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/pathfinder/metadata.h"
#include "tasks/pathfinder/options.h"
#include "tasks/pathfinder/parallel.h"
#include "tasks/pathfinder/pathfinder.h"
#include "tasks/pathfinder/png_io.h"
#include "tasks/pathfinder/random.h"
#include "tasks/pathfinder/tokenise.h"

namespace lra {

namespace fs = std::filesystem;

namespace {

}  // namespace

void tokenise_pathfinder(const GrayImage& image, int pool, uint16_t* out) {
  const int side = image.width / pool;
  if (pool == 1) {
    for (size_t i = 0; i < image.pixels.size(); ++i) out[i] = static_cast<uint16_t>(image.pixels[i] + 1);
    return;
  }
  const int area = pool * pool;
  for (int by = 0; by < side; ++by)
    for (int bx = 0; bx < side; ++bx) {
      int sum = 0;
      for (int y = by * pool; y < (by + 1) * pool; ++y)
        for (int x = bx * pool; x < (bx + 1) * pool; ++x) sum += image.at(y, x);
      out[by * side + bx] = static_cast<uint16_t>((sum + area / 2) / area + 1);
    }
}

namespace {

struct Example {
  std::string path;  // absolute image path
  const MetadataRow* row;
};

// Decodes the chosen examples, in order, into one split.
Dataset decode_split(const std::vector<Example>& examples, int resolution, int pool) {
  Dataset split;
  const size_t length = static_cast<size_t>(resolution / pool) * (resolution / pool);
  split.tokens.resize(examples.size() * length);
  parallel_for(examples.size(), pathfinder_threads(), [&](size_t i) {
    const Example& e = examples[i];
    const std::vector<uint8_t> bytes = read_binary_file(e.path);
    const std::string name = data::printable(e.path, 400) + " (listed at " + e.row->where + ")";
    const GrayImage image = decode_gray_png(bytes.data(), bytes.size(), name);
    if (image.width != resolution || image.height != resolution)
      throw UserError(name + ": image is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                      ", expected " + std::to_string(resolution) + "x" + std::to_string(resolution) +
                      " (task.data.resolution, or the size of the first image)");
    tokenise_pathfinder(image, pool, split.tokens.data() + i * length);
  });
  for (size_t i = 0; i < examples.size(); ++i) {
    split.offsets.push_back(static_cast<int64_t>((i + 1) * length));
    split.add_label(examples[i].row->label, examples[i].row->image);
  }
  return split;
}

int first_image_side(const Example& e) {
  const GrayImage image = read_gray_png(e.path);
  if (image.width != image.height)
    throw UserError(data::printable(e.path, 400) + " (listed at " + e.row->where + "): image is " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + ", expected a square image");
  return image.width;
}

}  // namespace

std::string pathfinder_data_folder(const std::string& data_dir, const nlohmann::json& task_config) {
  const PathfinderDataOptions options = pathfinder_data_options(task_config);
  return (fs::path(data_dir) / options.folder / options.difficulty).string();
}

TaskSplits load_pathfinder(const std::string& data_dir, const nlohmann::json& task_config, SplitsToRead which) {
  const PathfinderDataOptions options = pathfinder_data_options(task_config);
  const fs::path root = pathfinder_data_folder(data_dir, task_config);
  std::error_code error;
  if (!fs::is_directory(root, error))
    throw UserError("pathfinder data not found: " + root.string() +
                    " is not a folder (hint: generate it with 'lra data', or point --data-dir at the LRA release "
                    "holding " + options.folder + "/" + options.difficulty + ")");

  std::vector<MetadataRow> rows;
  for (const std::string& file : list_metadata_files(root.string())) {
    std::vector<MetadataRow> more = read_metadata_file(file);
    rows.insert(rows.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }

  // Which images exist and which are empty (the release has a zero-byte PNG; every harness skips it).
  std::vector<char> empty(rows.size(), 0);
  parallel_for(rows.size(), pathfinder_threads(), [&](size_t i) {
    const std::string path = (root / rows[i].image).string();
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
      throw UserError(rows[i].where + ": image " + data::printable(path, 400) + " cannot be read: " +
                      std::strerror(errno));
    empty[i] = info.st_size == 0;
  });
  std::vector<Example> examples;
  for (size_t i = 0; i < rows.size(); ++i)
    if (!empty[i]) examples.push_back({(root / rows[i].image).string(), &rows[i]});
  const size_t skipped = rows.size() - examples.size();
  if (examples.empty()) throw UserError(root.string() + ": the metadata lists no non-empty image");

  // 80/10/10 after a seeded shuffle; only the examples the limits keep are decoded.
  Rng rng(options.split_seed);
  rng.shuffle(examples);
  const size_t n = examples.size(), n_train = n * 8 / 10, n_val = n / 10;
  auto slice = [&](size_t begin, size_t end, size_t limit) {
    if (limit > 0 && limit < end - begin) end = begin + limit;
    return std::vector<Example>(examples.begin() + begin, examples.begin() + end);
  };
  const int resolution = options.resolution > 0 ? options.resolution : first_image_side(examples.front());
  if (resolution % options.downsample != 0)
    throw UserError("task.data.downsample " + std::to_string(options.downsample) + " does not divide the image side " +
                    std::to_string(resolution));

  TaskSplits splits;
  splits.train = decode_split(slice(0, n_train, options.train_limit), resolution, options.downsample);
  if (which == SplitsToRead::all) {  // train_only: the shared metadata is read, no val/test image is decoded
    splits.val = decode_split(slice(n_train, n_train + n_val, options.val_limit), resolution, options.downsample);
    splits.test = decode_split(slice(n_train + n_val, n, options.test_limit), resolution, options.downsample);
  }

  nlohmann::json provenance = {
      {"task", "pathfinder"},
      {"path", root.string()},
      {"data_dir", data_dir},
      {"folder", options.folder},
      {"difficulty", options.difficulty},
      {"resolution", resolution},
      {"downsample", options.downsample},
      {"images_listed", rows.size()},
      {"zero_byte_images_skipped", skipped},
      {"split", {{"rule", "80/10/10 after a shuffle"}, {"seed", options.split_seed}, {"train", n_train},
                 {"val", n_val}, {"test", n - n_train - n_val}}},
  };
  const fs::path manifest = root / "DATASET.json";
  if (fs::exists(manifest, error)) {
    try {
      provenance["dataset"] = nlohmann::json::parse(read_text_file(manifest.string()));
      provenance["source"] = provenance["dataset"].value("source", "unknown");
    } catch (const nlohmann::json::exception& e) {
      throw UserError(manifest.string() + ": not valid JSON: " + e.what());
    }
  } else {
    provenance["source"] = "files without DATASET.json (assumed to be the LRA release)";
  }
  splits.provenance_json = provenance.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return splits;
}

}  // namespace lra
