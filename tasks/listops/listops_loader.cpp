// ListOps loader: official TSV -> token ids with the official tokenisation.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "tasks/common/data_files.h"
#include "tasks/listops/listops.h"

namespace lra {
namespace {

using data::fail;
using data::printable;

// ListOps rows hold at most max_length (2,000 in LRA) tokens, a few KB; a longer line is not ListOps.
constexpr size_t kMaxLineBytes = 1 << 20;

// Official preprocessing: ']' -> 'X', '(' and ')' deleted, then split on whitespace.
// Returns false (and the offending token) on a symbol outside the vocabulary.
bool tokenize(const std::string& source, std::vector<uint16_t>& ids, std::string& bad_token) {
  const auto& symbols = listops_symbols();
  ids.clear();
  std::string token;
  auto flush = [&] {
    if (token.empty()) return true;
    for (size_t i = 0; i < symbols.size(); ++i)
      if (symbols[i] == token) {
        ids.push_back(static_cast<uint16_t>(i + 1));
        token.clear();
        return true;
      }
    bad_token = token;
    return false;
  };
  for (char c : source) {
    if (c == '(' || c == ')') continue;
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!flush()) return false;
      continue;
    }
    token.push_back(c == ']' ? 'X' : c);
  }
  return flush();
}

Dataset load_split(const std::string& path, const nlohmann::json& task, const std::string& hint) {
  const int64_t classes = task.at("classes").get<int64_t>();
  const size_t max_tokens = data::max_document_tokens(task);
  const std::string file = std::filesystem::path(path).filename().string();
  Dataset split;
  std::vector<uint16_t> ids;
  std::string bad_token;
  data::for_each_line(path, hint, kMaxLineBytes, [&](int64_t number, const std::string& line) {
    const std::string where = path + ":" + std::to_string(number);
    auto columns = data::split_tabs(line);
    if (number == 1) {
      if (columns.size() != 2 || columns[0] != "Source" || columns[1] != "Target")
        fail(where, "expected the header 'Source<TAB>Target', got '" + printable(line) + "'", hint);
      return;
    }
    if (columns.size() != 2)
      fail(where, "expected 2 tab-separated columns (Source, Target), found " + std::to_string(columns.size()), hint);
    const std::string& target = columns[1];
    int64_t label = -1;
    auto [end, ec] = std::from_chars(target.data(), target.data() + target.size(), label);
    if (ec != std::errc() || end != target.data() + target.size() || target.empty())
      fail(where, "label '" + printable(target, 20) + "' is not an integer (expected 0.." + std::to_string(classes - 1) + ")", hint);
    if (label < 0 || label >= classes)
      fail(where, "label " + printable(target, 20) + " is out of range (expected 0.." + std::to_string(classes - 1) + " for task.classes = " +
                     std::to_string(classes) + ")", hint);
    if (!tokenize(columns[0], ids, bad_token))
      fail(where, "unknown symbol '" + printable(bad_token, 40) + "' (expected [MIN [MAX [MED [SM ] ( ) or a digit)", hint);
    if (ids.empty()) fail(where, "empty expression in the Source column", hint);
    split.add_document(ids.data(), std::min(ids.size(), max_tokens));
    split.add_label(static_cast<int32_t>(label), file + ":" + std::to_string(number));
  });
  if (split.size() == 0) fail(path, "no examples after the header", hint);
  return split;
}

}  // namespace

const std::vector<std::string>& listops_symbols() {
  static const std::vector<std::string> symbols{"[MIN", "[MAX", "[MED", "[SM", "X", "0", "1", "2",
                                                "3",    "4",    "5",    "6",   "7", "8", "9"};
  return symbols;
}

TaskSplits load_listops(const std::string& data_dir, const nlohmann::json& task, SplitsToRead which) {
  const std::string folder = data::task_folder(data_dir, task);
  const std::string hint = data::regenerate_hint("listops", data_dir);
  data::require_folder(folder, hint);
  TaskSplits splits;
  splits.train = load_split(folder + "/basic_train.tsv", task, hint);
  if (which == SplitsToRead::all) {
    splits.val = load_split(folder + "/basic_val.tsv", task, hint);
    splits.test = load_split(folder + "/basic_test.tsv", task, hint);
  }
  data::apply_limits(splits, task);
  splits.provenance_json = data::provenance_json(folder, data_dir);
  return splits;
}

}  // namespace lra
