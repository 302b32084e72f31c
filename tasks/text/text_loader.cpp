// Text loader: aclImdb folders -> byte tokens.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/random.h"
#include "tasks/text/text.h"

namespace lra {
namespace {
namespace fs = std::filesystem;

// Reads <folder>/<split>/{neg,pos}/*.txt in file-name order.
Dataset load_split(const std::string& folder, const std::string& split, const nlohmann::json& task,
                   const std::string& hint) {
  const size_t max_tokens = data::max_document_tokens(task);
  Dataset out;
  std::vector<uint16_t> ids;
  const char* const label_folders[2] = {"neg", "pos"};
  for (int label = 0; label < 2; ++label) {
    const std::string dir = folder + "/" + split + "/" + label_folders[label];
    data::require_folder(dir, hint);
    std::vector<std::string> names;
    std::error_code error;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
      if (it->path().extension() == ".txt") names.push_back(it->path().filename().string());
    if (error) data::fail(dir, "cannot list the folder: " + error.message(), hint);
    if (names.empty()) data::fail(dir, "no *.txt reviews in this folder", hint);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      const std::string path = dir + "/" + name;
      const std::string bytes = data::read_prefix(path, max_tokens, hint);  // only these bytes are used
      if (bytes.empty()) data::fail(path, "empty review (0 bytes); expected the review text", hint);
      const size_t n = bytes.size();
      ids.resize(n);
      for (size_t i = 0; i < n; ++i) ids[i] = static_cast<uint16_t>(static_cast<unsigned char>(bytes[i]) + 1);
      out.add_document(ids);
      out.add_label(label, split + "/" + label_folders[label] + "/" + name);
    }
  }
  return out;
}

std::vector<size_t> permutation(size_t n, data::Rng& rng) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  data::shuffle_in_place(order, rng);
  return order;
}

}  // namespace

TaskSplits load_text(const std::string& data_dir, const nlohmann::json& task, SplitsToRead which) {
  const std::string folder = data::task_folder(data_dir, task);
  const std::string hint = data::regenerate_hint("text", data_dir);
  data::require_folder(folder, hint);
  const double val_fraction = data::get_number(task, "data", "val_fraction");
  if (!(val_fraction >= 0.0 && val_fraction < 1.0))
    throw UserError("task.data.val_fraction must be in [0, 1), got " + std::to_string(val_fraction));
  data::Rng rng(static_cast<uint64_t>(data::get_int(task, "data", "split_seed")));

  Dataset train = load_split(folder, "train", task, hint);
  // The test folder is read only when asked for; the permutation of train comes first either way, so
  // the held-out validation share is the same.
  TaskSplits splits;
  std::vector<size_t> train_order = permutation(train.size(), rng);
  if (which == SplitsToRead::all) {
    Dataset test = load_split(folder, "test", task, hint);
    splits.test = data::subset(test, permutation(test.size(), rng));
  }
  if (val_fraction > 0.0) {
    const auto held_out = static_cast<size_t>(std::llround(val_fraction * static_cast<double>(train.size())));
    if (held_out == 0 || held_out >= train.size())
      throw UserError("task.data.val_fraction " + std::to_string(val_fraction) + " of " +
                      std::to_string(train.size()) + " training reviews leaves an empty split");
    splits.val = data::subset(train, {train_order.begin(), train_order.begin() + static_cast<std::ptrdiff_t>(held_out)});
    splits.train = data::subset(train, {train_order.begin() + static_cast<std::ptrdiff_t>(held_out), train_order.end()});
  } else {
    splits.train = data::subset(train, train_order);
    splits.val = splits.test;  // the official pipeline validates on the test split (empty when train_only)
  }
  data::apply_limits(splits, task);
  nlohmann::json provenance = nlohmann::json::parse(data::provenance_json(folder, data_dir));
  provenance["validation"] = val_fraction > 0.0 ? "held-out share of train (task.data.val_fraction)"
                                                : "the test split (as the official LRA pipeline)";
  splits.provenance_json = provenance.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return splits;
}

}  // namespace lra
