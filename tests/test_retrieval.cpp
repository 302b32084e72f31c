// Retrieval: the AAN pair TSV loader (float labels, 10,000-byte cut), bad input, and the synthetic
// substitute (determinism, balance, label = same latent topic, length bounds).
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "data_test_support.h"
#include "core/errors.h"
#include "tasks/common/synthetic_text.h"
#include "tasks/retrieval/retrieval.h"
#include "tasks/text/text.h"

using Catch::Matchers::Contains;
using lra::test::write_file;

namespace {

const std::string kRows = "1.0\tP01\tP02\tfirst text\tsecond\n0\tP03\tP04\tthird\tfourth one\n";

void write_pairs(const std::string& root, const std::string& train) {
  write_file(root + "/tsv_data/new_aan_pairs.train.tsv", train);
  write_file(root + "/tsv_data/new_aan_pairs.eval.tsv", kRows);
  write_file(root + "/tsv_data/new_aan_pairs.test.tsv", kRows);
}

// The topics whose words occur in a document.
std::set<size_t> topics_in(const std::string& text) {
  std::set<size_t> found;
  std::istringstream words(text);
  std::string word;
  while (words >> word)
    for (size_t t = 0; t < lra::retrieval_topic_count(); ++t)
      for (const auto& w : lra::retrieval_topic_words(t))
        if (word == w) found.insert(t);
  return found;
}

}  // namespace

TEST_CASE("the Retrieval loader reads AAN pair rows with float labels into two documents each", "[data][retrieval]") {
  const std::string root = lra::test::scratch("retrieval_load").string();
  write_pairs(root, kRows);
  const auto splits = lra::load_retrieval(root, lra::test::task_config("retrieval"));
  REQUIRE(splits.train.size() == 2);
  CHECK(splits.train.docs_per_example == 2);
  CHECK(splits.train.documents() == 4);
  CHECK(splits.train.labels == std::vector<int32_t>{1, 0});
  CHECK(lra::test::document_bytes(splits.train, 0) == "first text");
  CHECK(lra::test::document_bytes(splits.train, 3) == "fourth one");
  CHECK(splits.train.ids[0] == "P01,P02");
}

TEST_CASE("the Retrieval loader keeps each text's first 10,000 bytes, and at most max_len - 1", "[data][retrieval]") {
  const std::string root = lra::test::scratch("retrieval_cut").string();
  write_pairs(root, "1\ta\tb\t" + std::string(12000, 'x') + "\tshort\n");
  auto wide = lra::load_retrieval(root, lra::test::task_config("retrieval", "paper", {"task.max_len=20001"}));
  CHECK(wide.train.document_length(0) == 10000);
  CHECK(wide.train.document_length(1) == 5);
  auto paper = lra::load_retrieval(root, lra::test::task_config("retrieval"));
  CHECK(paper.train.document_length(0) == 4000);
}

TEST_CASE("every kind of bad Retrieval input is one UserError naming file:line and the fix", "[data][retrieval]") {
  const std::string root = lra::test::scratch("retrieval_bad").string();
  const auto task = lra::test::task_config("retrieval");
  const std::string file = root + "/tsv_data/new_aan_pairs.train.tsv";
  auto load_with_train = [&](const std::string& train) {
    write_pairs(root, train);
    return lra::load_retrieval(root, task);
  };
  CHECK_THROWS_WITH(load_with_train(kRows + "1\ta\tb\tonly one text\n"),
                    Contains(file + ":3:") && Contains("expected 5 tab-separated columns") && Contains("found 4") &&
                        Contains("lra data generate --task retrieval"));
  CHECK_THROWS_WITH(load_with_train("maybe\ta\tb\tx\ty\n"), Contains(file + ":1:") && Contains("not a number"));
  CHECK_THROWS_WITH(load_with_train("2.0\ta\tb\tx\ty\n"), Contains(file + ":1:") && Contains("out of range"));
  CHECK_THROWS_WITH(load_with_train(""), Contains(file) && Contains("empty file"));
  write_pairs(root, kRows);
  std::filesystem::remove(root + "/tsv_data/new_aan_pairs.eval.tsv");
  CHECK_THROWS_WITH(lra::load_retrieval(root, task), Contains("new_aan_pairs.eval.tsv: file not found"));
}

TEST_CASE("the Retrieval substitute is deterministic by seed and labelled as a substitute", "[data][retrieval]") {
  const auto task = lra::test::task_config("retrieval", "smoke");
  const std::string a = lra::test::scratch("retrieval_seed_a").string(), b = lra::test::scratch("retrieval_seed_b").string(), c = lra::test::scratch("retrieval_seed_c").string();
  lra::generate_retrieval(a, task, 5);
  lra::generate_retrieval(b, task, 5);
  lra::generate_retrieval(c, task, 6);
  const auto files = lra::test::snapshot(a);
  CHECK(files.size() == 4);
  CHECK(files == lra::test::snapshot(b));
  CHECK(files.at("tsv_data/new_aan_pairs.train.tsv") != lra::test::snapshot(c).at("tsv_data/new_aan_pairs.train.tsv"));
  const auto dataset = nlohmann::json::parse(files.at("tsv_data/DATASET.json"));
  CHECK(dataset["substitute"] == true);
  CHECK_THAT(dataset["source"].get<std::string>(), Contains("SUBSTITUTE"));
}

TEST_CASE("the Retrieval substitute is balanced, within its byte bounds, and labelled by the shared topic",
          "[data][retrieval]") {
  const std::string root = lra::test::scratch("retrieval_labels").string();
  const auto task = lra::test::task_config("retrieval", "smoke", {"task.data.train_limit=0"});
  lra::generate_retrieval(root, task, 13);
  const auto splits = lra::load_retrieval(root, task);
  for (const lra::Dataset* split : {&splits.train, &splits.val, &splits.test}) {
    int64_t positives = 0;
    for (size_t i = 0; i < split->size(); ++i) {
      const std::string first = lra::test::document_bytes(*split, 2 * i);
      const std::string second = lra::test::document_bytes(*split, 2 * i + 1);
      for (const auto* text : {&first, &second}) {
        CHECK(text->size() >= 60);
        CHECK(text->size() <= 120);
      }
      const auto t1 = topics_in(first), t2 = topics_in(second);
      INFO(first << " | " << second);
      REQUIRE(t1.size() == 1);
      REQUIRE(t2.size() == 1);
      CHECK(split->labels[i] == (t1 == t2 ? 1 : 0));
      positives += split->labels[i];
    }
    CHECK(positives * 2 == static_cast<int64_t>(split->size()));
  }
}

TEST_CASE("topic and cue words never occur in the neutral filler and belong to one topic each", "[data][retrieval]") {
  std::set<std::string> filler(lra::data::filler_words().begin(), lra::data::filler_words().end());
  std::set<std::string> seen;
  for (size_t t = 0; t < lra::retrieval_topic_count(); ++t)
    for (const auto& w : lra::retrieval_topic_words(t)) {
      INFO(w);
      CHECK(filler.count(w) == 0);
      CHECK(seen.insert(w).second);
    }
  for (int label = 0; label < 2; ++label)
    for (const auto& w : lra::text_cue_words(label)) {
      INFO(w);
      CHECK(filler.count(w) == 0);
      CHECK(seen.insert(w).second);
    }
}
