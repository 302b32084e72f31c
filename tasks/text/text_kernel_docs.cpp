// Text real-text substitute: Linux kernel documents, user-facing (pos) or kernel-internal (neg).
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/kernel_docs.h"
#include "tasks/common/random.h"
#include "tasks/text/text.h"

namespace lra {

namespace {

std::vector<std::string> folder_list(const nlohmann::json& task, const char* key) {
  std::vector<std::string> folders;
  std::stringstream in(data::get_string(task, "generate", key));
  for (std::string f; std::getline(in, f, ',');)
    if (!f.empty()) folders.push_back(f);
  if (folders.empty())
    throw UserError(std::string("task.generate.") + key + " must name at least one Documentation/ folder (comma-separated)");
  return folders;
}

std::string top_folder(const std::string& id) { return id.substr(0, id.find('/')); }

}  // namespace

void generate_text_kernel_docs(const std::string& data_dir, const nlohmann::json& task, uint64_t seed) {
  const std::vector<std::string> folders[2] = {folder_list(task, "kernel_docs_negative"),
                                               folder_list(task, "kernel_docs_positive")};
  for (const auto& f : folders[0])
    if (std::count(folders[1].begin(), folders[1].end(), f))
      throw UserError("task.generate: folder '" + f + "' is in both kernel_docs_positive and kernel_docs_negative");
  const data::KernelDocCorpus corpus = data::read_kernel_docs_for_task(task);

  // label of each document (-1: in neither group), and whole folders to train (80%) or test (20%)
  std::vector<int> label_of(corpus.ids.size(), -1);
  std::map<std::string, double> weight;
  for (size_t d = 0; d < corpus.ids.size(); ++d) {
    for (int label = 0; label < 2; ++label)
      if (std::count(folders[label].begin(), folders[label].end(), top_folder(corpus.ids[d]))) label_of[d] = label;
    if (label_of[d] >= 0) weight[data::document_group(corpus.ids[d])] += 1.0;
  }
  const auto group_split = data::assign_groups(weight, {0.8, 0.2}, seed);

  data::StagingFolder staging(data_dir, data::get_string(task, "data", "folder"));
  data::Rng rng(seed);
  const char* const split_names[2] = {"train", "test"};
  nlohmann::json written;
  for (int split = 0; split < 2; ++split) {
    std::vector<size_t> by_label[2];
    for (size_t d = 0; d < corpus.ids.size(); ++d)
      if (label_of[d] >= 0 && group_split.at(data::document_group(corpus.ids[d])) == split)
        by_label[label_of[d]].push_back(d);
    // Balanced: the larger class is cut to the smaller one's size, a seeded random subset.
    const size_t n = std::min(by_label[0].size(), by_label[1].size());
    if (n == 0)
      throw UserError(corpus.root + ": the " + std::string(split_names[split]) +
                      " split has no document of one class (a corpus this small cannot make the task)");
    for (int label = 0; label < 2; ++label) {
      data::shuffle_in_place(by_label[label], rng);
      by_label[label].resize(n);
      std::sort(by_label[label].begin(), by_label[label].end());
      const std::string dir = staging.path() + "/" + split_names[split] + "/" + (label ? "pos" : "neg");
      std::filesystem::create_directories(dir);
      for (size_t d : by_label[label])
        // aclImdb's <id>_<rating>.txt; the kernel documents carry no rating: 10 for pos, 1 for neg.
        data::write_file(dir + "/" + std::to_string(d) + "_" + (label ? "10" : "1") + ".txt",
                         corpus.texts[d]);
    }
    written[split_names[split]] = {{"examples", 2 * n}, {"neg", n}, {"pos", n}};
  }
  nlohmann::json dataset = data::kernel_docs_dataset(
      corpus, task, seed, written, "IMDB", "Text", nlohmann::json::object(),
      "Whole Documentation/**/*.rst files (at least min_bytes after cleaning, cut to max_bytes): pos = the "
      "kernel_docs_positive folders (written for users and administrators), neg = the kernel_docs_negative folders "
      "(kernel-internal interfaces). 80/20 by document count; the larger class is cut to balance each split. "
      "aclImdb layout.");
  staging.commit(dataset);
}

}  // namespace lra
