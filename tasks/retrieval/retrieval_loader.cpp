// Retrieval loader: AAN pair TSV -> two byte-token documents per example.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "tasks/common/data_files.h"
#include "tasks/retrieval/retrieval.h"

namespace lra {
namespace {

constexpr size_t kOfficialTextBytes = 10000;  // the official pipeline keeps each text's first 10,000 bytes
// AAN rows hold two whole papers (tens of KB); a line this long is not a row of the AAN TSV.
constexpr size_t kMaxLineBytes = size_t{64} << 20;

Dataset load_split(const std::string& path, const nlohmann::json& task, const std::string& hint) {
  const size_t max_tokens = std::min(kOfficialTextBytes, data::max_document_tokens(task));
  Dataset out;
  out.docs_per_example = 2;
  std::vector<uint16_t> ids;
  data::for_each_line(path, hint, kMaxLineBytes, [&](int64_t number, const std::string& line) {
    const std::string where = path + ":" + std::to_string(number);
    const auto columns = data::split_tabs(line);
    if (columns.size() != 5)
      data::fail(where, "expected 5 tab-separated columns (label, id1, id2, text1, text2), found " +
                            std::to_string(columns.size()), hint);
    const std::string& label_text = columns[0];
    char* end = nullptr;
    const double label = std::strtod(label_text.c_str(), &end);
    if (label_text.empty() || end != label_text.c_str() + label_text.size())
      data::fail(where, "label '" + data::printable(label_text, 20) + "' is not a number (expected 0 or 1)", hint);
    if (label != 0.0 && label != 1.0) data::fail(where, "label " + data::printable(label_text, 20) + " is out of range (expected 0 or 1)", hint);
    for (int doc = 3; doc <= 4; ++doc) {
      const std::string& text = columns[static_cast<size_t>(doc)];
      const size_t n = std::min(text.size(), max_tokens);
      ids.resize(n);
      for (size_t i = 0; i < n; ++i) ids[i] = static_cast<uint16_t>(static_cast<unsigned char>(text[i]) + 1);
      out.add_document(ids);
    }
    out.add_label(label == 1.0 ? 1 : 0, columns[1] + "," + columns[2]);
  });
  return out;
}

}  // namespace

TaskSplits load_retrieval(const std::string& data_dir, const nlohmann::json& task, SplitsToRead which) {
  const std::string folder = data::task_folder(data_dir, task);
  const std::string hint = data::regenerate_hint("retrieval", data_dir);
  data::require_folder(folder, hint);
  TaskSplits splits;
  splits.train = load_split(folder + "/new_aan_pairs.train.tsv", task, hint);
  if (which == SplitsToRead::all) {
    splits.val = load_split(folder + "/new_aan_pairs.eval.tsv", task, hint);
    splits.test = load_split(folder + "/new_aan_pairs.test.tsv", task, hint);
  }
  data::apply_limits(splits, task);
  splits.provenance_json = data::provenance_json(folder, data_dir);
  return splits;
}

}  // namespace lra
