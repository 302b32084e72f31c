// Text: the aclImdb loader (bytes are bytes, val = test or a held-out share of train), bad input, and
// the synthetic substitute (determinism, balance, label = majority cue class, length bounds).
#include <catch2/catch.hpp>

#include <sstream>

#include "data_test_support.h"
#include "core/errors.h"
#include "tasks/text/text.h"

using Catch::Matchers::Contains;
using lra::test::write_file;

namespace {

void write_reviews(const std::string& root) {
  write_file(root + "/aclImdb/train/pos/0_9.txt", "Great film!<br />");
  write_file(root + "/aclImdb/train/pos/1_8.txt", "Loved it");
  write_file(root + "/aclImdb/train/neg/0_1.txt", std::string("Bad \xff\xfe bytes", 11));  // not UTF-8: fine
  write_file(root + "/aclImdb/train/neg/1_2.txt", "Dull");
  write_file(root + "/aclImdb/train/unsupBow.feat", "ignored: not in pos/ or neg/");
  write_file(root + "/aclImdb/test/pos/0_10.txt", "Superb");
  write_file(root + "/aclImdb/test/neg/0_3.txt", "Weak");
}

}  // namespace

TEST_CASE("the Text loader reads aclImdb reviews as bytes and validates on the test split", "[data][text]") {
  const std::string root = lra::test::scratch("text_load").string();
  write_reviews(root);
  const auto splits = lra::load_text(root, lra::test::task_config("text"));
  REQUIRE(splits.train.size() == 4);
  REQUIRE(splits.test.size() == 2);
  CHECK(splits.val.ids == splits.test.ids);  // official: test doubles as validation
  bool found_binary = false;
  for (size_t i = 0; i < splits.train.size(); ++i) {
    const std::string& id = splits.train.ids[i];
    CHECK(splits.train.labels[i] == (id.find("/pos/") != std::string::npos ? 1 : 0));
    if (id == "train/neg/0_1.txt") {
      found_binary = true;
      CHECK(splits.train.document_length(i) == 11);
      CHECK(splits.train.document(i)[0] == 'B' + 1);
      CHECK(splits.train.document(i)[4] == 0xff + 1);  // byte 255 -> id 256
    }
  }
  CHECK(found_binary);
  CHECK(nlohmann::json::parse(splits.provenance_json)["validation"] == "the test split (as the official LRA pipeline)");
}

TEST_CASE("the Text loader holds out a seeded share of train when val_fraction is set", "[data][text]") {
  const std::string root = lra::test::scratch("text_val_fraction").string();
  write_reviews(root);
  const auto task = lra::test::task_config("text", "paper", {"task.data.val_fraction=0.5"});
  const auto a = lra::load_text(root, task);
  const auto b = lra::load_text(root, task);
  CHECK(a.train.size() == 2);
  CHECK(a.val.size() == 2);
  CHECK(a.val.ids == b.val.ids);
  for (const auto& id : a.val.ids) CHECK(id.rfind("train/", 0) == 0);
  CHECK_THROWS_WITH(lra::load_text(root, lra::test::task_config("text", "paper", {"task.data.val_fraction=1.5"})),
                    Contains("val_fraction"));
}

TEST_CASE("every kind of bad Text input is one UserError naming the file or folder and the fix", "[data][text]") {
  const std::string root = lra::test::scratch("text_bad").string();
  const auto task = lra::test::task_config("text");
  CHECK_THROWS_WITH(lra::load_text(root, task), Contains(root + "/aclImdb: folder not found") &&
                                                    Contains("lra data generate --task text"));
  write_reviews(root);
  std::filesystem::remove_all(root + "/aclImdb/test/neg");
  CHECK_THROWS_WITH(lra::load_text(root, task), Contains("aclImdb/test/neg: folder not found"));
  std::filesystem::create_directories(root + "/aclImdb/test/neg");
  CHECK_THROWS_WITH(lra::load_text(root, task), Contains("aclImdb/test/neg: no *.txt reviews"));
  write_file(root + "/aclImdb/test/neg/5_1.txt", "");
  CHECK_THROWS_WITH(lra::load_text(root, task), Contains("aclImdb/test/neg/5_1.txt: empty review"));
}

TEST_CASE("the Text substitute is deterministic by seed and labelled as a substitute", "[data][text]") {
  const auto task = lra::test::task_config("text", "smoke");
  const std::string a = lra::test::scratch("text_seed_a").string(), b = lra::test::scratch("text_seed_b").string(), c = lra::test::scratch("text_seed_c").string();
  lra::generate_text(a, task, 5);
  lra::generate_text(b, task, 5);
  lra::generate_text(c, task, 6);
  const auto files = lra::test::snapshot(a);
  CHECK(files.size() == 256 + 128 + 1);
  CHECK(files == lra::test::snapshot(b));
  CHECK(files != lra::test::snapshot(c));
  const auto dataset = nlohmann::json::parse(files.at("aclImdb/DATASET.json"));
  CHECK(dataset["substitute"] == true);
  CHECK_THAT(dataset["source"].get<std::string>(), Contains("SUBSTITUTE"));
  CHECK(dataset["counts"]["train"]["pos"] == 128);
}

TEST_CASE("the Text substitute is balanced, within its byte bounds, and labelled by the majority cue class",
          "[data][text]") {
  const std::string root = lra::test::scratch("text_labels").string();
  const auto task = lra::test::task_config("text", "smoke", {"task.data.train_limit=0", "task.max_len=4001"});
  lra::generate_text(root, task, 11);
  const auto splits = lra::load_text(root, task);
  REQUIRE(splits.train.size() == 256);
  int64_t positives = 0;
  for (size_t i = 0; i < splits.train.size(); ++i) {
    const std::string text = lra::test::document_bytes(splits.train, i);
    CHECK(text.size() >= 60);
    CHECK(text.size() <= 120);
    int cues[2] = {0, 0};
    std::istringstream words(text);
    std::string word;
    while (words >> word)
      for (int label = 0; label < 2; ++label)
        for (const auto& cue : lra::text_cue_words(label)) cues[label] += word == cue;
    INFO(text);
    CHECK(cues[0] != cues[1]);
    CHECK(splits.train.labels[i] == (cues[1] > cues[0] ? 1 : 0));
    positives += splits.train.labels[i];
  }
  CHECK(positives == 128);
}
