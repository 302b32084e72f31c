// ListOps: the loader on hand-written official TSV files, every bad-input class, and the generator
// (determinism, labels re-computed by an independent stack evaluator, length bounds, official form).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "data_test_support.h"
#include "listops_evaluator.h"
#include "core/errors.h"
#include "tasks/listops/listops.h"

using Catch::Matchers::Contains;
using lra::test::write_file;
using lra::test::evaluate;
using lra::test::Evaluation;

namespace {

void write_listops(const std::string& root, const std::string& train, const std::string& val, const std::string& test) {
  write_file(root + "/listops-1000/basic_train.tsv", train);
  write_file(root + "/listops-1000/basic_val.tsv", val);
  write_file(root + "/listops-1000/basic_test.tsv", test);
}

const std::string kValid = "Source\tTarget\n( ( ( [MAX 2 ) 9 ) ] )\t9\n( ( ( [SM 7 ) 5 ) ] )\t2\n";

}  // namespace

TEST_CASE("the ListOps loader reads the official TSV with the official tokenisation", "[data][listops]") {
  const std::string root = lra::test::scratch("listops_load").string();
  write_listops(root, kValid, kValid, kValid);
  const auto splits = lra::load_listops(root, lra::test::task_config("listops"));
  REQUIRE(splits.train.size() == 2);
  // [MAX=2, digit d = d + 6, X = 5; parentheses dropped
  const std::vector<uint16_t> first(splits.train.document(0), splits.train.document(0) + splits.train.document_length(0));
  CHECK(first == std::vector<uint16_t>{2, 8, 15, 5});
  CHECK(splits.train.labels == std::vector<int32_t>{9, 2});
  CHECK(splits.train.ids[1] == "basic_train.tsv:3");
  CHECK(splits.val.size() == 2);
  CHECK(splits.test.size() == 2);
  CHECK(lra::listops_symbols().size() == 15);
  CHECK(nlohmann::json::parse(splits.provenance_json)["source"] == "official LRA release layout");
}

TEST_CASE("ListOps split limits keep the first examples", "[data][listops]") {
  const std::string root = lra::test::scratch("listops_limits").string();
  write_listops(root, kValid, kValid, kValid);
  const auto splits = lra::load_listops(root, lra::test::task_config("listops", "paper", {"task.data.train_limit=1"}));
  CHECK(splits.train.size() == 1);
  CHECK(splits.val.size() == 2);
}

TEST_CASE("every kind of bad ListOps input is one UserError naming file:line and the fix", "[data][listops]") {
  const std::string root = lra::test::scratch("listops_bad").string();
  const auto task = lra::test::task_config("listops");
  auto load_with_train = [&](const std::string& train) {
    write_listops(root, train, kValid, kValid);
    return lra::load_listops(root, task);
  };
  const std::string file = root + "/listops-1000/basic_train.tsv";
  CHECK_THROWS_WITH(load_with_train("Source\tTarget\n( [MAX 1 ] )\t3\textra\n"),
                    Contains(file + ":2:") && Contains("expected 2 tab-separated columns") &&
                        Contains("lra data generate --task listops"));
  CHECK_THROWS_WITH(load_with_train("Source\tTarget\n( [MAX 1 ] )\t3\n( [MAX 1 ] )\tx\n"),
                    Contains(file + ":3:") && Contains("label 'x' is not an integer"));
  CHECK_THROWS_WITH(load_with_train("Source\tTarget\n( [MAX 1 ] )\t12\n"),
                    Contains(file + ":2:") && Contains("out of range"));
  CHECK_THROWS_WITH(load_with_train("Source\tTarget\n( [FOO 1 ] )\t1\n"),
                    Contains(file + ":2:") && Contains("unknown symbol '[FOO'"));
  CHECK_THROWS_WITH(load_with_train("Sauce\tTarget\n"), Contains(file + ":1:") && Contains("header"));
  CHECK_THROWS_WITH(load_with_train("Source\tTarget\n"), Contains(file) && Contains("no examples"));
  CHECK_THROWS_WITH(load_with_train(""), Contains(file) && Contains("empty file"));
  CHECK_THROWS_WITH(load_with_train("Source\tTarget\n\n"), Contains(file + ":2:") && Contains("found 1"));

  write_listops(root, kValid, kValid, kValid);
  std::filesystem::remove(root + "/listops-1000/basic_val.tsv");
  CHECK_THROWS_WITH(lra::load_listops(root, task), Contains("basic_val.tsv: file not found") && Contains("hint:"));
  CHECK_THROWS_WITH(lra::load_listops(root + "/nowhere", task), Contains("listops-1000: folder not found"));
}

TEST_CASE("the ListOps generator gives the same bytes for the same seed and others for another", "[data][listops]") {
  const auto task = lra::test::task_config("listops", "smoke");
  const std::string a = lra::test::scratch("listops_seed_a").string(), b = lra::test::scratch("listops_seed_b").string(), c = lra::test::scratch("listops_seed_c").string();
  lra::generate_listops(a, task, 7);
  lra::generate_listops(b, task, 7);
  lra::generate_listops(c, task, 8);
  const auto files = lra::test::snapshot(a);
  CHECK(files.size() == 4);  // three splits + DATASET.json
  CHECK(files == lra::test::snapshot(b));
  CHECK(files.at("listops-1000/basic_train.tsv") != lra::test::snapshot(c).at("listops-1000/basic_train.tsv"));
  const auto dataset = nlohmann::json::parse(files.at("listops-1000/DATASET.json"));
  CHECK(dataset["seed"] == 7);
  CHECK(dataset["substitute"] == false);
  CHECK(dataset["counts"]["train"] == 256);
}

TEST_CASE("generated ListOps labels match an independent stack evaluator and lengths obey the bounds",
          "[data][listops]") {
  const std::string root = lra::test::scratch("listops_eval").string();
  // Wide max_len so no document is cut; the smoke bounds (20 < length < 120).
  const auto task = lra::test::task_config("listops", "smoke",
                                          {"task.max_len=2001", "task.data.train_limit=0", "task.generate.train=500"});
  lra::generate_listops(root, task, 3);
  const auto splits = lra::load_listops(root, task);
  REQUIRE(splits.train.size() == 500);
  std::set<int32_t> labels_seen;
  for (const lra::Dataset* split : {&splits.train, &splits.val, &splits.test}) {
    for (size_t i = 0; i < split->size(); ++i) {
      INFO(split->ids[i]);
      const int64_t length = split->document_length(i);
      CHECK(length > 20);
      CHECK(length < 120);
      const Evaluation e = evaluate(split->document(i), length);
      CHECK(e.well_formed);
      CHECK(e.value == split->labels[i]);
      labels_seen.insert(split->labels[i]);
    }
  }
  CHECK(labels_seen.size() >= 8);

  // The raw strings: distinct, and carry exactly k + 1 parenthesis pairs per operator of arity k.
  std::set<std::string> sources;
  int64_t line_number = 0;
  std::istringstream lines(lra::test::read_file(root + "/listops-1000/basic_train.tsv"));
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    const std::string source = line.substr(0, line.find('\t'));
    CHECK(sources.insert(source).second);
    const auto opens = std::count(source.begin(), source.end(), '(');
    CHECK(opens == std::count(source.begin(), source.end(), ')'));
    CHECK(opens == evaluate(splits.train.document(static_cast<size_t>(line_number)),
                            splits.train.document_length(static_cast<size_t>(line_number)))
                       .paren_pairs);
    ++line_number;
  }
  CHECK(line_number == 500);
}
