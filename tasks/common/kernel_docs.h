#pragma once
// The Linux kernel's documentation sources (Debian's linux-doc-6.1: Documentation/**/*.rst[.gz]) as a
// corpus of real, long, cross-linked English documents: the Text and Retrieval real-text substitutes
// (task.generate.source = "kernel-docs") are built from it.
//
// Links: :doc:`target` and :doc:`Title <target>` (a path, relative to the linking document or, with a
// leading '/', to Documentation/), :ref:`label` / :ref:`Title <label>` (resolved through the
// `.. _label:` anchors every document defines) and literal Documentation/<path>.rst mentions.
// The texts a generator writes have that markup removed (strip_link_markup), so a pair's label cannot
// be read off a file name or an anchor in the other document.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lra::data {

// What one raw .rst document links to and defines, before resolution.
struct RstLinks {
  std::vector<std::string> doc_targets;  // document ids (paths under Documentation/, no extension)
  std::vector<std::string> ref_labels;   // :ref: labels, lower-case
  std::vector<std::string> anchors;      // labels this document defines (.. _label:), lower-case
};

// doc_id: the document's path under Documentation/ without .rst, e.g. "admin-guide/README".
RstLinks extract_links(const std::string& rst, const std::string& doc_id);

// The text with every link's markup removed: a role with a title keeps only the title, one without
// is dropped; anchor lines, toctree blocks, SPDX lines, every other directive line with its options
// (a directive's indented body stays) and Documentation/... paths are dropped;
// runs of whitespace (newlines, tabs) become one space, so a document fits one TSV field.
std::string strip_link_markup(const std::string& rst);

struct KernelDocCorpus {
  std::string root;                                // the Documentation/ folder read
  std::string package_version;                     // from ../changelog.Debian.gz, "" when absent
  std::vector<std::string> ids;                    // sorted document ids
  std::vector<std::string> texts;                  // strip_link_markup of each
  std::vector<std::pair<size_t, size_t>> links;    // undirected, first < second, sorted, unique
  size_t documents_read = 0;                       // before the min_bytes cut and translations/
};

// Every .rst / .rst.gz under `root` except translations/ (other-language copies of the English
// documents), whose cleaned text has at least min_bytes bytes; links among those. UserError naming the
// folder and the fix (install linux-doc-6.1) when it is missing or holds no documents.
KernelDocCorpus read_kernel_docs(const std::string& root, size_t min_bytes);

// task.generate.source of a Text or Retrieval config: true for "kernel-docs", false for "synthetic"
// (also when the key is absent); UserError naming the key and the known sources otherwise.
bool kernel_docs_source(const nlohmann::json& task, const std::string& task_name);

// The corpus a generator's task config asks for: task.generate.kernel_docs_dir, documents of at least
// task.generate.min_bytes, texts cut to task.generate.max_bytes. UserError naming the keys when
// 1 <= min_bytes <= max_bytes does not hold.
KernelDocCorpus read_kernel_docs_for_task(const nlohmann::json& task);

// DATASET.json of a kernel-docs substitute for `replaces` (IMDB, AAN): the task's generate keys plus the
// corpus's counts (and `corpus_extra`) as parameters, marked substitute and "real_text": true.
nlohmann::json kernel_docs_dataset(const KernelDocCorpus& corpus, const nlohmann::json& task, uint64_t seed,
                                   const nlohmann::json& counts, const std::string& replaces,
                                   const std::string& task_name, const nlohmann::json& corpus_extra,
                                   const std::string& description);

// "a/b/c" -> "a/b" for documents two or more folders deep, else the top folder ("a/b" -> "a"): the
// unit that is kept whole when documents are split into train/val/test.
std::string document_group(const std::string& id);

// Splits whole groups: group -> split index (0..shares.size()-1), so that each split's total weight is
// near its share of all weight. Groups are taken heaviest first (ties in a seeded random order) and
// each goes to the split furthest below its share. Deterministic in seed.
std::map<std::string, int> assign_groups(const std::map<std::string, double>& weight, const std::vector<double>& shares,
                                         uint64_t seed);

// A corpus text cut to at most max_bytes bytes (never inside a UTF-8 sequence).
std::string cut_text(const std::string& text, size_t max_bytes);

}  // namespace lra::data
