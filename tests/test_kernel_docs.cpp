// The kernel-docs real-text substitutes on a tiny fixture corpus written here: link extraction, markup
// removal, the by-folder split, label balance, and the official layouts read back by the loaders.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <map>
#include <set>

#include "data_test_support.h"
#include "core/errors.h"
#include "tasks/common/kernel_docs.h"
#include "tasks/retrieval/retrieval.h"
#include "tasks/text/text.h"

using Catch::Matchers::Contains;

namespace {

const std::string kFiller =
    "This paragraph explains how the subsystem behaves when the device is probed, which locks are held, "
    "and what a driver author must check before returning. ";

void write_gz(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
}

// Documentation/ with: <folder>/g<k>/d<i>.rst for each folder, k < groups, i < per_group; document i
// links to i + 1 of its group (alternately by :doc:, :ref: through an anchor, and a Documentation/ path).
std::string fixture_corpus(const std::string& name, const std::vector<std::string>& folders, int groups, int per_group) {
  const std::string root = lra::test::scratch(name).string() + "/Documentation";
  for (const auto& folder : folders)
    for (int g = 0; g < groups; ++g)
      for (int i = 0; i < per_group; ++i) {
        const std::string dir = folder + "/g" + std::to_string(g);
        const std::string id = dir + "/d" + std::to_string(i);
        std::string text = ".. SPDX-License-Identifier: GPL-2.0\n\n.. _anchor-" + folder + "-" + std::to_string(g) +
                           "-" + std::to_string(i) + ":\n\nTitle of " + std::to_string(i) + "\n========\n\n" + kFiller;
        if (i + 1 < per_group) {
          const std::string next = "d" + std::to_string(i + 1);
          if (i % 3 == 0) text += "See :doc:`the next part <" + next + ">` for more. ";
          if (i % 3 == 1)
            text += "See :ref:`anchor-" + folder + "-" + std::to_string(g) + "-" + std::to_string(i + 1) + "`. ";
          if (i % 3 == 2) text += "See Documentation/" + dir + "/" + next + ".rst for more. ";
        }
        text += "\n\n.. toctree::\n   :maxdepth: 1\n\n   " + std::string("other") + "\n\nClosing words. " + kFiller;
        if (i % 2) write_gz(root + "/" + id + ".rst.gz", text);
        else lra::test::write_file(root + "/" + id + ".rst", text);
      }
  // A translation links everywhere and must be ignored.
  lra::test::write_file(root + "/translations/it/" + folders[0] + "/g0/d0.rst", ":doc:`/" + folders[0] + "/g0/d2` " + kFiller);
  return root;
}

}  // namespace

TEST_CASE("kernel-docs: links from :doc:, :ref: anchors and Documentation/ paths", "[data][kernel-docs]") {
  const std::string rst =
      ".. _Intro-Label:\n\nIntro\n=====\n"
      "Read :doc:`the guide <../b/guide>`, :doc:`/c/top` and :doc:`sibling`; see :ref:`Other-Label` and "
      ":ref:`titled <third-label>`. Also Documentation/d/file.rst. A :c:func:`not_a_link` is not a link.\n";
  const auto links = lra::data::extract_links(rst, "a/x/intro");
  CHECK(links.doc_targets == std::vector<std::string>{"a/b/guide", "c/top", "a/x/sibling", "d/file"});
  CHECK(links.ref_labels == std::vector<std::string>{"other-label", "third-label"});
  CHECK(links.anchors == std::vector<std::string>{"intro-label"});
}

TEST_CASE("kernel-docs: link markup, anchors, toctrees, SPDX lines and paths are removed, titles kept",
          "[data][kernel-docs]") {
  const std::string rst =
      ".. SPDX-License-Identifier: GPL-2.0\n.. _secret-anchor:\n\nTitle\n=====\n\n"
      "Read :doc:`the guide <../b/guide>` and :doc:`bare/target`; see :ref:`hidden-label`.\n"
      "Path Documentation/admin-guide/foo.rst here.\n\n.. toctree::\n   :maxdepth: 2\n\n   child/one\n   child/two\n\n"
      "After\tthe   toctree.\n.. include:: other.rst\n.. c:namespace:: V4L\n\n.. kernel-doc:: include/linux/x.h\n"
      "   :internal:\n\n.. note::\n\n   Body kept.\n";
  const std::string text = lra::data::strip_link_markup(rst);
  CHECK(text == "Title ===== Read the guide and ; see . Path here. After the toctree. Body kept.");
  for (const char* leak : {":doc:", ":ref:", "guide>", "bare/target", "hidden-label", "secret-anchor", "admin-guide",
                           "child/one", "SPDX", "toctree::", "include::", "V4L", "kernel-doc", "x.h", ":internal:", "\n", "\t"})
    CHECK_THAT(text, !Contains(leak));
}

TEST_CASE("kernel-docs: the corpus reader resolves links, skips translations/ and short documents",
          "[data][kernel-docs]") {
  const std::string root = fixture_corpus("kd_corpus", {"admin-guide"}, 2, 4);
  const auto corpus = lra::data::read_kernel_docs(root, 100);
  REQUIRE(corpus.ids.size() == 8);
  CHECK(corpus.documents_read == 9);
  CHECK(corpus.ids.front() == "admin-guide/g0/d0");
  // d0 -> d1 (:doc:), d1 -> d2 (:ref:), d2 -> d3 (path), in both groups
  std::set<std::pair<std::string, std::string>> links;
  for (const auto& [a, b] : corpus.links) links.insert({corpus.ids[a], corpus.ids[b]});
  std::set<std::pair<std::string, std::string>> expected;
  for (int g = 0; g < 2; ++g)
    for (int i = 0; i < 3; ++i) {
      const std::string dir = "admin-guide/g" + std::to_string(g) + "/d";
      expected.insert({dir + std::to_string(i), dir + std::to_string(i + 1)});
    }
  CHECK(links == expected);
  for (const auto& text : corpus.texts) CHECK_THAT(text, !Contains("anchor-"));
  CHECK(lra::data::read_kernel_docs(root, 100000).ids.empty());
  CHECK_THROWS_WITH(lra::data::read_kernel_docs(root + "/missing", 1), Contains("linux-doc-6.1"));
  CHECK(lra::data::document_group("a/b/c") == "a/b");
  CHECK(lra::data::document_group("a/b") == "a");
  CHECK(lra::data::cut_text("ab\xc3\xa9", 3) == "ab");  // not inside the two-byte UTF-8 sequence
}

TEST_CASE("kernel-docs Retrieval: balanced linked/unlinked pairs, split by folder, readable as AAN TSV",
          "[data][kernel-docs][retrieval]") {
  const std::string corpus_root = fixture_corpus("kd_retrieval_corpus", {"driver-api"}, 10, 6);
  const std::string root = lra::test::scratch("kd_retrieval").string();
  const auto task = lra::test::task_config(
      "retrieval", "smoke",
      {"task.generate.source=kernel-docs", "task.generate.kernel_docs_dir=" + corpus_root,
       "task.generate.min_bytes=100", "task.generate.max_bytes=3000", "task.data.train_limit=0",
       "task.data.val_limit=0", "task.data.test_limit=0", "task.max_len=4001"});
  lra::generate_retrieval(root, task, 3);
  const auto splits = lra::load_retrieval(root, task);
  const auto corpus = lra::data::read_kernel_docs(corpus_root, 100);
  std::set<std::pair<std::string, std::string>> linked;
  for (const auto& [a, b] : corpus.links) linked.insert({corpus.ids[a], corpus.ids[b]}), linked.insert({corpus.ids[b], corpus.ids[a]});
  std::map<std::string, int> split_of_document;
  std::vector<std::set<std::string>> documents_of_split(3);
  int split_index = 0;
  for (const lra::Dataset* split : {&splits.train, &splits.val, &splits.test}) {
    REQUIRE(split->size() > 0);
    int64_t positives = 0;
    for (size_t i = 0; i < split->size(); ++i) {
      const std::string& ids = split->ids[i];  // "<id1>,<id2>"
      const std::string a = ids.substr(0, ids.find(',')), b = ids.substr(ids.find(',') + 1);
      INFO(ids);
      CHECK(split->labels[i] == (linked.count({a, b}) ? 1 : 0));
      for (const auto& d : {a, b}) {
        CHECK(split_of_document.emplace(d, split_index).first->second == split_index);  // never two splits
        documents_of_split[split_index].insert(d);
      }
      for (size_t doc : {2 * i, 2 * i + 1}) {
        const std::string text = lra::test::document_bytes(*split, doc);
        CHECK_THAT(text, !Contains(":doc:") && !Contains(":ref:") && !Contains("Documentation/") &&
                             !Contains("anchor-") && !Contains("\n"));
      }
      positives += split->labels[i];
    }
    CHECK(positives * 2 == static_cast<int64_t>(split->size()));
    ++split_index;
  }
  const auto dataset = nlohmann::json::parse(lra::test::read_file(root + "/tsv_data/DATASET.json"));
  CHECK(dataset["substitute"] == true);
  CHECK(dataset["real_text"] == true);
  CHECK_THAT(dataset["source"].get<std::string>(), Contains("linux-doc-6.1"));
  CHECK(dataset["parameters"]["corpus"]["links"] == corpus.links.size());
  // The counts describe the pairs as written: distinct documents in each split's pairs, and links
  // inside a split plus those dropped across splits make up the corpus's links.
  const auto& about = dataset["parameters"]["corpus"];
  const char* const names[] = {"train", "val", "test"};
  size_t links = about["links_across_splits_dropped"];
  for (int s = 0; s < 3; ++s) {
    INFO(names[s]);
    CHECK(about["documents_in_pairs"][names[s]] == documents_of_split[s].size());
    CHECK(about["documents_in_split_folders"][names[s]].get<size_t>() >= documents_of_split[s].size());
    links += about["links_inside_split"][names[s]].get<size_t>();
  }
  CHECK(links == corpus.links.size());
}

TEST_CASE("kernel-docs Text: user-facing vs kernel-internal folders, balanced, split by folder",
          "[data][kernel-docs][text]") {
  const std::string corpus_root = fixture_corpus("kd_text_corpus", {"admin-guide", "driver-api"}, 10, 3);
  const std::string root = lra::test::scratch("kd_text").string();
  const auto task = lra::test::task_config(
      "text", "smoke",
      {"task.generate.source=kernel-docs", "task.generate.kernel_docs_dir=" + corpus_root, "task.generate.min_bytes=100",
       "task.generate.max_bytes=3000", "task.generate.kernel_docs_positive=admin-guide",
       "task.generate.kernel_docs_negative=driver-api", "task.data.val_fraction=0", "task.data.train_limit=0",
       "task.data.test_limit=0", "task.max_len=4001"});
  lra::generate_text(root, task, 5);
  const auto splits = lra::load_text(root, task);
  const auto corpus = lra::data::read_kernel_docs(corpus_root, 100);
  std::map<std::string, std::string> group_split;  // folder group -> split
  for (const auto* split : {&splits.train, &splits.test}) {
    REQUIRE(split->size() > 0);
    int64_t positives = 0;
    for (size_t i = 0; i < split->size(); ++i) {
      // ids: "<split>/<pos|neg>/<corpus index>_<rating>.txt"
      const std::string& id = split->ids[i];
      const std::string file = id.substr(id.rfind('/') + 1);
      const std::string doc = corpus.ids.at(std::stoul(file.substr(0, file.find('_'))));
      const std::string split_name = id.substr(0, id.find('/'));
      INFO(id << " = " << doc);
      CHECK(split->labels[i] == (doc.rfind("admin-guide/", 0) == 0 ? 1 : 0));
      CHECK(group_split.emplace(lra::data::document_group(doc), split_name).first->second == split_name);
      CHECK_THAT(lra::test::document_bytes(*split, i), !Contains("Documentation/") && !Contains(":doc:"));
      positives += split->labels[i];
    }
    CHECK(positives * 2 == static_cast<int64_t>(split->size()));
  }
  const auto bad = lra::test::task_config(
      "text", "smoke", {"task.generate.source=kernel-docs", "task.generate.kernel_docs_dir=" + corpus_root,
                        "task.generate.kernel_docs_positive=driver-api", "task.generate.kernel_docs_negative=driver-api"});
  CHECK_THROWS_WITH(lra::generate_text(lra::test::scratch("kd_text_bad").string(), bad, 1), Contains("in both"));
}
