// Self-pretraining (lra pretrain, lra train --init-from): which positions are masked, which ones the
// loss covers, that pretraining never reads val/test, exact resume, and the fine-tuning start.
#include "tests/catch_torch.h"

#include <filesystem>
#include <fstream>

#include <torch/torch.h>

#include "core/errors.h"
#include "lra/train/checkpoint.h"
#include "lra/config/config.h"
#include "lra/train/objective.h"
#include "lra/train/self_pretraining.h"
#include "lra/train/trainer.h"
#include "models/classifier.h"
#include "models/masked_tokens.h"
#include "models/registry.h"
#include "models/state_dict.h"
#include "tasks/registry.h"
#include "tests/model_fixtures.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using lra::Json;
using lra::test::read_json;
using lra::test::scratch;

namespace {

Json smoke(const std::string& task, const std::string& model, std::vector<std::string> overrides = {}) {
  return lra::resolve_config({task, model, "smoke", std::move(overrides), ""});
}

lra::TrainOptions options(const std::string& data, const fs::path& out, bool resume = false, int64_t stop_after = 0) {
  lra::TrainOptions o;
  o.data_dir = data;
  o.out_dir = out.string();
  o.resume = resume;
  o.stop_after = stop_after;
  o.quiet = true;
  return o;
}

// Runs lra pretrain's config into `out`; the path of its last checkpoint.
std::string pretrain(const std::string& data, const fs::path& out, const Json& config) {
  REQUIRE(lra::run_training(lra::pretraining_config(config), options(data, out)) == 0);
  const Json report = read_json(out / "latest.json");
  REQUIRE(report["status"] == "completed");
  return report["checkpoints"]["last"].get<std::string>();
}

void check_same_tensors(const lra::StateDict& a, const lra::StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& entry : a) {
    INFO(entry.key());
    REQUIRE(b.contains(entry.key()));
    CHECK(torch::equal(entry.value(), b.at(entry.key())));
  }
}

// tokens (3,6) with CLS at column 0 and padding at the ends of rows 1 and 2.
struct Sample {
  torch::Tensor tokens = torch::tensor({{17, 3, 4, 5, 6, 7}, {17, 8, 9, 0, 0, 0}, {17, 0, 0, 0, 0, 0}}, torch::kLong);
  torch::Tensor mask = tokens.ne(0);
};

}  // namespace

TEST_CASE("masking never chooses CLS or padding, and replaces exactly the chosen tokens", "[pretrain]") {
  Sample s;
  const auto all = lra::mask_tokens(s.tokens, s.mask, torch::zeros({3, 6}), /*rate=*/0.5, /*mask_id=*/16);
  // uniform 0 < rate everywhere: every real non-CLS token is chosen, nothing else.
  const auto expected = torch::tensor({{0, 1, 1, 1, 1, 1}, {0, 1, 1, 0, 0, 0}, {0, 0, 0, 0, 0, 0}}, torch::kBool);
  CHECK(torch::equal(all.chosen, expected));
  CHECK(torch::equal(all.targets, torch::tensor({3, 4, 5, 6, 7, 8, 9}, torch::kLong)));
  CHECK(torch::equal(all.inputs, torch::tensor({{17, 16, 16, 16, 16, 16}, {17, 16, 16, 0, 0, 0},
                                                {17, 0, 0, 0, 0, 0}}, torch::kLong)));
  // uniform >= rate everywhere: nothing chosen, inputs unchanged.
  const auto none = lra::mask_tokens(s.tokens, s.mask, torch::full({3, 6}, 0.5), 0.5, 16);
  CHECK(none.chosen.sum().item<int64_t>() == 0);
  CHECK(torch::equal(none.inputs, s.tokens));

  // At random: the rate of chosen real tokens is close to the requested one, CLS and pads never chosen.
  torch::manual_seed(3);
  const auto tokens = torch::randint(1, 16, {64, 200}, torch::kLong);
  tokens.select(1, 0).fill_(17);
  auto mask = torch::ones({64, 200}, torch::kBool);
  mask.narrow(1, 150, 50).fill_(false);
  const auto padded = tokens.masked_fill(mask.logical_not(), 0);
  const auto m = lra::mask_tokens(padded, mask, torch::rand({64, 200}), 0.3, 16);
  CHECK(m.chosen.select(1, 0).sum().item<int64_t>() == 0);
  CHECK(m.chosen.logical_and(mask.logical_not()).sum().item<int64_t>() == 0);
  const double rate = m.chosen.sum().item<double>() / (64.0 * 149.0);
  CHECK(rate > 0.27);
  CHECK(rate < 0.33);
  CHECK(torch::equal(m.targets, padded.masked_select(m.chosen)));
}

TEST_CASE("the denoising loss is the cross-entropy over the chosen positions only", "[pretrain]") {
  torch::manual_seed(1);
  const Json config = smoke("listops", "transformer", {"model.dropout=0"});
  auto classifier = lra::build_model(config);
  lra::MaskedTokenModel model(classifier->encoder_module(), config["task"]["vocab_size"].get<int64_t>());
  model->eval();
  Sample s;
  const auto masked = lra::mask_tokens(s.tokens, s.mask, torch::rand({3, 6}), 0.5, 16);
  const auto loss = lra::masked_token_loss(model->forward(masked.inputs, s.mask, masked.chosen), masked.targets);
  // Reference: logits at every position, then the mean cross-entropy over the chosen ones.
  const auto all_logits = model->token_head(model->encoder(masked.inputs, s.mask).x);  // (B,N,V)
  const auto log_probs = torch::log_softmax(all_logits, -1);
  double sum = 0;
  int count = 0;
  for (int b = 0; b < 3; ++b)
    for (int n = 0; n < 6; ++n)
      if (masked.chosen[b][n].item<bool>()) {
        sum -= log_probs[b][n][s.tokens[b][n].item<int64_t>()].item<double>();
        ++count;
      }
  REQUIRE(count > 0);
  CHECK(loss.item<double>() == Approx(sum / count).epsilon(1e-5));
  // No chosen position: zero loss, still differentiable.
  const auto empty = lra::masked_token_loss(model->forward(s.tokens, s.mask, torch::zeros({3, 6}, torch::kBool)),
                                            torch::zeros({0}, torch::kLong));
  CHECK(empty.item<double>() == 0.0);
  empty.backward();
}

TEST_CASE("the masks of a micro-batch depend on its stream only: the same on a resume, another per rank",
          "[pretrain]") {
  const Json config = lra::pretraining_config(smoke("retrieval", "transformer", {"model.dropout=0"}));
  auto objective = lra::make_objective(config, lra::build_model(config));
  objective->module().eval();
  const lra::TaskInfo task = lra::task_info_from_config(config);
  const auto batch = lra::test::make_test_batch(task, {20, 9, 14}, 20, 4);
  torch::manual_seed(1);
  const auto a = objective->step(batch, 7);
  torch::manual_seed(2);  // the global generator does not matter
  const auto b = objective->step(batch, 7);
  const auto c = objective->step(batch, 8);
  CHECK(a.counted == b.counted);
  CHECK(a.loss.item<double>() == b.loss.item<double>());
  CHECK(a.loss.item<double>() != c.loss.item<double>());
  CHECK(a.counted > 0);
  CHECK(a.counted < 2 * (19 + 8 + 13));  // both documents of the pair, CLS never counted
}

TEST_CASE("pretraining never reads the validation or test files", "[pretrain]") {
  for (const std::string task : {"listops", "retrieval"}) {
    INFO(task);
    const fs::path data = scratch("pretrain_data_" + task);
    const Json config = smoke(task, "luna-16");
    lra::find_task(task).generate(data.string(), config["task"], 1);
    const std::string before = pretrain(data.string(), scratch("pretrain_a_" + task), config);
    // Replace every val/test file by garbage, then delete them: the pretraining is the same.
    const std::vector<std::string> held_out =
        task == "listops" ? std::vector<std::string>{"listops-1000/basic_val.tsv", "listops-1000/basic_test.tsv"}
                          : std::vector<std::string>{"tsv_data/new_aan_pairs.eval.tsv", "tsv_data/new_aan_pairs.test.tsv"};
    for (const auto& file : held_out) {
      REQUIRE(fs::exists(data / file));
      std::ofstream(data / file) << "not\ta\tvalid\trow\n";
    }
    const std::string garbage = pretrain(data.string(), scratch("pretrain_b_" + task), config);
    for (const auto& file : held_out) fs::remove(data / file);
    const std::string removed = pretrain(data.string(), scratch("pretrain_c_" + task), config);
    check_same_tensors(lra::read_checkpoint(before).model, lra::read_checkpoint(garbage).model);
    check_same_tensors(lra::read_checkpoint(before).model, lra::read_checkpoint(removed).model);
    // A classification run on the same folder does read them.
    CHECK_THROWS_AS(lra::run_training(config, options(data.string(), scratch("train_" + task))), lra::UserError);
  }
}

TEST_CASE("a pretraining run resumed halfway ends with identical parameters", "[pretrain][resume]") {
  const std::string data = lra::test::smoke_listops_data();
  const Json config = lra::pretraining_config(smoke("listops", "luna-16", {"pretrain.steps=14", "train.eval_every=5"}));
  const fs::path straight = scratch("pretrain_straight"), pieces = scratch("pretrain_pieces");
  REQUIRE(lra::run_training(config, options(data, straight)) == 0);
  REQUIRE(lra::run_training(config, options(data, pieces, false, 6)) == 0);
  CHECK(read_json(pieces / "latest.json")["status"] == "interrupted");
  REQUIRE(lra::run_training(config, options(data, pieces, true)) == 0);
  const Json a = read_json(straight / "latest.json"), b = read_json(pieces / "latest.json");
  CHECK(b["status"] == "completed");
  CHECK(a["objective"] == "masked_tokens");
  check_same_tensors(lra::read_checkpoint(a["checkpoints"]["last"]).model,
                     lra::read_checkpoint(b["checkpoints"]["last"]).model);
  CHECK(a["curves"]["train"] == b["curves"]["train"]);
}

TEST_CASE("fine-tuning (--init-from) copies the encoder exactly and leaves the head as the seed initialised it", "[pretrain]") {
  const std::string data = lra::test::smoke_listops_data();
  const Json config = smoke("listops", "luna-16");
  const fs::path pre = scratch("init_pre");
  const std::string checkpoint = pretrain(data, pre, config);
  const lra::PretrainedEncoder pretrained = lra::read_pretrained_encoder(pre.string());  // the run folder
  CHECK(pretrained.checkpoint == checkpoint);
  CHECK(pretrained.steps == config["pretrain"]["steps"].get<int64_t>());
  for (const auto& entry : pretrained.contents.model) CHECK(entry.key().rfind("head.", 0) != 0);

  const Json finetune = lra::finetune_config(config, pretrained);
  CHECK(finetune["train"]["init_from"] == checkpoint);
  CHECK(finetune["train"]["steps"].get<int64_t>() + pretrained.steps == config["train"]["steps"].get<int64_t>());
  torch::manual_seed(finetune["train"]["seed"].get<uint64_t>());
  auto model = lra::build_model(finetune);
  torch::manual_seed(finetune["train"]["seed"].get<uint64_t>());
  const auto fresh = lra::state_dict(*lra::build_model(finetune));
  lra::load_pretrained_encoder(*model, pretrained);
  int encoder_tensors = 0, head_tensors = 0;
  for (const auto& entry : lra::state_dict(*model)) {
    INFO(entry.key());
    if (entry.key().rfind("encoder.", 0) == 0) {
      ++encoder_tensors;
      CHECK(torch::equal(entry.value(), pretrained.contents.model.at(entry.key())));
      if (entry.key() == "encoder.embed_tokens.weight") CHECK_FALSE(torch::equal(entry.value(), fresh.at(entry.key())));
    } else {
      ++head_tensors;
      CHECK(torch::equal(entry.value(), fresh.at(entry.key())));
    }
  }
  CHECK(encoder_tensors > 0);
  CHECK(head_tensors == 3);  // head.dense.{weight,bias}, head.out_proj.weight

  // End to end: the fine-tuning report says where it started and counts the updates of both runs.
  const fs::path out = scratch("init_ft");
  REQUIRE(lra::run_training(finetune, options(data, out)) == 0);
  const Json report = read_json(out / "latest.json");
  CHECK(report["protocol"] == "spt");
  CHECK(report["init_from"]["run_id"] == read_json(pre / "latest.json")["run_id"]);
  CHECK(report["init_from"]["config"]["objective"] == "masked_tokens");
  CHECK(report["init_from"]["data"].is_object());
  CHECK(report["updates"]["total"] == config["train"]["steps"]);
}

TEST_CASE("fine-tuning (--init-from) refuses another model, other shapes, a classifier checkpoint and no updates left",
          "[pretrain][errors]") {
  const std::string data = lra::test::smoke_listops_data();
  const Json config = smoke("listops", "luna-16");
  const fs::path pre = scratch("init_errors_pre");
  pretrain(data, pre, config);
  const auto pretrained = lra::read_pretrained_encoder(pre.string());
  CHECK_THROWS_WITH(lra::finetune_config(smoke("listops", "transformer"), pretrained),
                    Contains("pretrained model luna-16, not transformer"));
  const Json wider = smoke("listops", "luna-16", {"model.d_model=64"});
  auto model = lra::build_model(wider);
  CHECK_THROWS_WITH(lra::load_pretrained_encoder(*model, pretrained),
                    Contains("encoder.embed_tokens.weight is (18,32) there and (18,64) here"));
  CHECK_THROWS_WITH(lra::finetune_config(smoke("listops", "luna-16", {"train.steps=12"}), pretrained),
                    Contains("leaves no fine-tuning update") && Contains("pretrain.finetune_steps"));
  CHECK(lra::finetune_config(smoke("listops", "luna-16", {"pretrain.finetune_steps=5"}), pretrained)["train"]["steps"] == 5);
  // A classification run's folder and checkpoint are not pretraining runs.
  const fs::path scratch_run = scratch("init_errors_scratch");
  REQUIRE(lra::run_training(config, options(data, scratch_run)) == 0);
  CHECK_THROWS_WITH(lra::read_pretrained_encoder(scratch_run.string()), Contains("is not a report of `lra pretrain`"));
  CHECK_THROWS_WITH(lra::read_pretrained_encoder(read_json(scratch_run / "latest.json")["checkpoints"]["last"]),
                    Contains("not a pretraining checkpoint"));
  CHECK_THROWS_WITH(lra::read_pretrained_encoder((pre / "nothing.ckpt").string()), Contains("nothing.ckpt"));
  // lra pretrain refuses to start from a pretraining.
  CHECK_THROWS_WITH(lra::pretraining_config(lra::finetune_config(config, pretrained)), Contains("train.init_from"));
  // Another data selection or split than the pretraining's, or other data.
  CHECK_THROWS_WITH(lra::finetune_config(smoke("listops", "luna-16", {"task.data.train_limit=100"}), pretrained),
                    Contains("pretrained with another task.data.train_limit"));
  const Json block = lra::init_from_block(pretrained);
  Json other = block["data"];
  CHECK_NOTHROW(lra::check_same_dataset(block, other));
  other["data_dir"] = "/moved/elsewhere";  // the same dataset read from another folder is fine
  CHECK_NOTHROW(lra::check_same_dataset(block, other));
  other["generator"] = "something else";
  CHECK_THROWS_WITH(lra::check_same_dataset(block, other), Contains("pretrained on other data"));
}

TEST_CASE("the CLI: a scratch run's config has no pretrain section, a pretraining's no finetune_steps, and lra "
          "eval refuses a pretraining checkpoint", "[pretrain][errors]") {
  const std::string data = lra::test::smoke_listops_data();
  const fs::path dir = scratch("pretrain_cli");
  const std::vector<std::string> common{"--task", "listops", "--model", "luna-16", "--profile", "smoke",
                                        "--data-dir", data, "--quiet"};
  auto with = [&](std::vector<std::string> head, const std::string& out) {
    head.insert(head.end(), common.begin(), common.end());
    head.insert(head.end(), {"--out", (dir / out).string()});
    return head;
  };
  REQUIRE(lra::test::run_lra(with({"train"}, "scratch")) == 0);
  CHECK_FALSE(read_json(dir / "scratch" / "latest.json")["config"].contains("pretrain"));
  REQUIRE(lra::test::run_lra(with({"pretrain"}, "pre")) == 0);
  const Json pre = read_json(dir / "pre" / "latest.json");
  CHECK(pre["config"]["pretrain"].contains("mask_rate"));
  CHECK_FALSE(pre["config"]["pretrain"].contains("finetune_steps"));
  CHECK_FALSE(pre["checkpoints"].contains("best"));
  REQUIRE(lra::test::run_lra(with({"train", "--init-from", (dir / "pre").string()}, "spt")) == 0);
  const Json spt = read_json(dir / "spt" / "latest.json");
  CHECK(spt["protocol"] == "spt");
  CHECK(spt["config"]["train"]["init_from"] == pre["checkpoints"]["last"]);
  const int rc = lra::test::wait_for(lra::test::spawn_lra(
      {"eval", "--checkpoint", pre["checkpoints"]["last"].get<std::string>(), "--data-dir", data}, {},
      (dir / "eval.err").string()));
  CHECK(rc == 2);
  CHECK_THAT(lra::read_text_file((dir / "eval.err").string()), Contains("a pretraining checkpoint"));
}
