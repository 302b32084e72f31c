// The task registry, load_task dispatch, the batcher on a pair dataset, and `lra data generate|check`
// end to end (exit codes and messages).
// Debian's libtorch logs through glog, whose CHECK macro clashes with Catch2's: include torch (via the
// batcher) first, drop glog's CHECK, then let Catch2 define its own.
#include "core/batch.h"
#include "tasks/batcher.h"
#undef CHECK
#include <catch2/catch.hpp>

#include <cstdlib>

#include "data_test_support.h"
#include "core/errors.h"
#include "tasks/registry.h"

using Catch::Matchers::Contains;

namespace {

struct CommandResult {
  int exit_code;
  std::string output;
};

CommandResult run_lra(const std::string& arguments, const std::string& scratch) {
  const std::string log = scratch + "/command.log";
  const int status = std::system((std::string(LRA_BINARY) + " " + arguments + " > " + log + " 2>&1").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, lra::test::read_file(log)};
}

}  // namespace

TEST_CASE("the task registry has every LRA task with a loader and a generator", "[data][registry]") {
  for (const char* name : {"listops", "text", "retrieval", "image"}) {
    INFO(name);
    const auto& entry = lra::find_task(name);
    CHECK(entry.name == name);
    CHECK(static_cast<bool>(entry.load));
    CHECK(static_cast<bool>(entry.generate));
    CHECK_FALSE(entry.description.empty());
  }
  CHECK_THROWS_WITH(lra::find_task("listop"), Contains("unknown task 'listop'") && Contains("listops, text"));
}

TEST_CASE("load_task picks the loader from the config's task name", "[data][registry]") {
  const std::string root = lra::test::scratch("registry_load").string();
  auto config = lra::resolve_config({"listops", "transformer", "smoke", {}, ""});
  lra::find_task("listops").generate(root, config["task"], 1);
  const auto splits = lra::load_task(root, config);
  CHECK(splits.train.size() == 256);
  CHECK(nlohmann::json::parse(splits.provenance_json)["seed"] == 1);
}

TEST_CASE("the batcher puts CLS first, masks padding and truncates both documents of a pair", "[data][batch]") {
  lra::Dataset pairs;
  pairs.docs_per_example = 2;
  pairs.add_document({1, 2, 3});
  pairs.add_document({4, 5});
  pairs.add_label(1, "a");
  pairs.add_document({6});
  pairs.add_document({7, 8, 9, 10, 11});
  pairs.add_label(0, "b");
  lra::TaskInfo task;
  task.vocab_size = 259;
  task.max_len = 4;
  task.pair = true;
  const auto batch = lra::make_batch(pairs, {0, 1}, task, /*trim=*/true);
  auto as_vector = [](const torch::Tensor& t) {
    auto c = t.to(torch::kInt64).contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
  };
  CHECK(batch.tokens.sizes() == torch::IntArrayRef({2, 4}));
  CHECK(as_vector(batch.tokens) == std::vector<int64_t>{258, 1, 2, 3, 258, 6, 0, 0});
  CHECK(as_vector(batch.mask) == std::vector<int64_t>{1, 1, 1, 1, 1, 1, 0, 0});
  CHECK(as_vector(batch.tokens2) == std::vector<int64_t>{258, 4, 5, 0, 258, 7, 8, 9});  // 5 tokens cut to 3 + CLS
  CHECK(as_vector(batch.mask2) == std::vector<int64_t>{1, 1, 1, 0, 1, 1, 1, 1});
  CHECK(as_vector(batch.labels) == std::vector<int64_t>{1, 0});
  CHECK(batch.real_tokens == 4 + 2 + 3 + 4);
  const auto padded = lra::make_batch(pairs, {1}, task, /*trim=*/false);
  CHECK(as_vector(padded.tokens) == std::vector<int64_t>{258, 6, 0, 0});
}

TEST_CASE("lra data generate and check run end to end and exit 2 naming file:line on bad data", "[data][cli]") {
  const std::string root = lra::test::scratch("cli_data").string();
  auto generated = run_lra("data generate --task listops --profile smoke --seed 3 --data-dir " + root, root);
  INFO(generated.output);
  REQUIRE(generated.exit_code == 0);
  CHECK_THAT(generated.output, Contains("seed 3"));
  auto checked = run_lra("data check --task listops --profile smoke --data-dir " + root, root);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
  CHECK_THAT(checked.output, Contains("train: 256 examples") && Contains("labels: 0:") && Contains("tokens per document"));

  lra::test::write_file(root + "/listops-1000/basic_val.tsv", "Source\tTarget\n( [MAX 1 ] )\tseven\n");
  auto bad = run_lra("data check --task listops --profile smoke --data-dir " + root, root);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Contains("basic_val.tsv:2:") && Contains("hint:"));

  auto misplaced = run_lra("data generate --task text --resolution 32 --data-dir " + root, root);
  CHECK(misplaced.exit_code == 2);
  CHECK_THAT(misplaced.output, Contains("pathfinder and pathx only"));
}
