// Retrieval real-text substitute: pairs of Linux kernel documents, label 1 when one links to the other.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/kernel_docs.h"
#include "tasks/common/random.h"
#include "tasks/retrieval/retrieval.h"

namespace lra {

namespace {

constexpr int kSplits = 3;  // train, val, test
const char* const kSplitFiles[kSplits] = {"train", "eval", "test"};
const char* const kSplitNames[kSplits] = {"train", "val", "test"};
const std::vector<double> kShares = {0.8, 0.1, 0.1};  // of the links that stay inside one split
constexpr int kLengthBuckets = 5;

struct Pair {
  size_t first, second;
  int label;
};

// For every linked pair (a, b) of a split, an unlinked partner c of a: from the same split, in b's
// length quintile, drawn with probability proportional to its number of links. So a document is as
// often the first member of a positive as of a negative pair, and the second members of both classes
// share their length and "popularity" distributions: neither document alone tells the label.
std::vector<Pair> pairs_of_split(const data::KernelDocCorpus& corpus, const std::vector<int>& split_of, int split,
                                 const std::vector<std::string>& texts, data::Rng& rng) {
  std::map<size_t, std::set<size_t>> neighbours;
  std::vector<Pair> positives;
  for (const auto& [a, b] : corpus.links)
    if (split_of[a] == split && split_of[b] == split) {
      neighbours[a].insert(b), neighbours[b].insert(a);
      positives.push_back({a, b, 1});
    }
  std::vector<size_t> linked;  // documents with a link inside the split, by length
  for (const auto& [doc, n] : neighbours) linked.push_back(doc);
  std::sort(linked.begin(), linked.end(), [&](size_t x, size_t y) {
    return texts[x].size() != texts[y].size() ? texts[x].size() < texts[y].size() : x < y;
  });
  std::map<size_t, int> bucket_of;
  std::vector<std::vector<size_t>> buckets(kLengthBuckets);
  for (size_t i = 0; i < linked.size(); ++i) {
    const int b = static_cast<int>(i * kLengthBuckets / std::max<size_t>(linked.size(), 1));
    bucket_of[linked[i]] = b;
    buckets[static_cast<size_t>(b)].push_back(linked[i]);
  }
  auto draw = [&](const std::vector<size_t>& pool) {  // degree-weighted
    double total = 0.0;
    for (size_t d : pool) total += static_cast<double>(neighbours[d].size());
    double u = data::uniform01(rng) * total;
    for (size_t d : pool) {
      u -= static_cast<double>(neighbours[d].size());
      if (u < 0.0) return d;
    }
    return pool.back();
  };
  std::vector<Pair> pairs;
  for (const Pair& p : positives) {
    // Either end may be the one kept: the link is undirected.
    const bool keep_first = data::uniform_below(rng, 2) == 0;
    const size_t a = keep_first ? p.first : p.second, b = keep_first ? p.second : p.first;
    const auto& pool = buckets[static_cast<size_t>(bucket_of[b])];
    size_t c = a;
    for (int attempt = 0; attempt < 200 && (c == a || neighbours[a].count(c)); ++attempt)
      c = draw(attempt < 100 ? pool : linked);
    if (c == a || neighbours[a].count(c)) continue;  // a linked to nearly everything: no negative, no pair
    pairs.push_back({a, b, 1});
    pairs.push_back({a, c, 0});
  }
  for (Pair& p : pairs)
    if (data::uniform_below(rng, 2)) std::swap(p.first, p.second);
  data::shuffle_in_place(pairs, rng);
  return pairs;
}

}  // namespace

void generate_retrieval_kernel_docs(const std::string& data_dir, const nlohmann::json& task, uint64_t seed) {
  const data::KernelDocCorpus corpus = data::read_kernel_docs_for_task(task);
  const std::vector<std::string>& texts = corpus.texts;

  // Whole folders go to one split, weighted by the links inside them.
  std::map<std::string, double> weight;
  for (const auto& id : corpus.ids) weight[data::document_group(id)] += 0.0;
  for (const auto& [a, b] : corpus.links)
    if (data::document_group(corpus.ids[a]) == data::document_group(corpus.ids[b]))
      weight[data::document_group(corpus.ids[a])] += 1.0;
  const auto group_split = data::assign_groups(weight, kShares, seed);
  std::vector<int> split_of(corpus.ids.size());
  for (size_t d = 0; d < corpus.ids.size(); ++d) split_of[d] = group_split.at(data::document_group(corpus.ids[d]));

  data::StagingFolder staging(data_dir, data::get_string(task, "data", "folder"));
  data::Rng rng(seed);
  // What the pairs are made of, per split: distinct documents that appear in a pair, links kept inside the
  // split; the documents of a split's folders that are in no pair (no link inside the split) are counted apart.
  nlohmann::json written, in_pairs, in_folders, links_inside;
  size_t links_kept = 0;
  for (int split = 0; split < kSplits; ++split) {
    const std::vector<Pair> pairs = pairs_of_split(corpus, split_of, split, texts, rng);
    if (pairs.empty())
      throw UserError(corpus.root + ": no linked documents fall in the " + kSplitNames[split] +
                      " split (a corpus this small cannot make the task; use the full linux-doc-6.1)");
    const std::string path = staging.path() + "/new_aan_pairs." + kSplitFiles[split] + ".tsv";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    int64_t positives = 0;
    for (const Pair& p : pairs) {
      out << (p.label ? "1.0" : "0.0") << '\t' << corpus.ids[p.first] << '\t' << corpus.ids[p.second] << '\t'
          << texts[p.first] << '\t' << texts[p.second] << '\n';
      positives += p.label;
    }
    out.flush();
    if (!out) throw UserError("cannot write " + path);
    written[kSplitNames[split]] = {{"examples", pairs.size()},
                                   {"label_0", static_cast<int64_t>(pairs.size()) - positives},
                                   {"label_1", positives}};
    std::set<size_t> used;
    for (const Pair& p : pairs) used.insert(p.first), used.insert(p.second);
    in_pairs[kSplitNames[split]] = used.size();
    in_folders[kSplitNames[split]] = std::count(split_of.begin(), split_of.end(), split);
    size_t inside = 0;
    for (const auto& [a, b] : corpus.links) inside += split_of[a] == split && split_of[b] == split;
    links_inside[kSplitNames[split]] = inside;
    links_kept += inside;
  }
  nlohmann::json dataset = data::kernel_docs_dataset(
      corpus, task, seed, written, "AAN", "Retrieval", {{"links", corpus.links.size()},
                 {"links_inside_split", links_inside},
                 {"links_across_splits_dropped", corpus.links.size() - links_kept},
                 {"documents_in_pairs", in_pairs},
                 {"documents_in_split_folders", in_folders}},
      "Pairs of Documentation/**/*.rst files (translations/ excluded; at least min_bytes after cleaning, cut to "
      "max_bytes). Label 1: one document links to the other (:doc:, :ref: through .. _anchors, or a Documentation/ "
      "path); label 0: the same first document with an unlinked one of the same split, length quintile and "
      "link-count weighting. Links across splits are dropped. AAN TSV layout (new_aan_pairs.{train,eval,test}.tsv).");
  staging.commit(dataset);
}

}  // namespace lra
