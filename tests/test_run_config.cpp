// The typed run configuration (train, pretrain, runtime parsed once), the resume state's JSON form,
// and the runtime section applied by every command that builds a model (train, eval).
#include "model_fixtures.h"  // first: see there

#include "core/errors.h"
#include "lra/config/run_config.h"
#include "lra/runtime/runtime.h"
#include "lra/train/checkpoint.h"
#include "lra/train/evaluate_checkpoint.h"
#include "lra/train/resume_state.h"
#include "lra/train/self_pretraining.h"
#include "lra/train/trainer.h"
#include "models/dropout.h"
#include "models/fused_attention.h"
#include "run_support.h"

using Catch::Matchers::Contains;

TEST_CASE("the typed run config holds the resolved values", "[config][run_config]") {
  const auto config = lra::test::smoke_config("listops", "luna-16", {"train.lr=0.0025", "train.clip_norm=1.5",
                                                                    "runtime.fused_attention=false"});
  const lra::RunConfig run = lra::parse_run_config(config);
  CHECK(run.task == "listops");
  CHECK(run.model == "luna-16");
  CHECK(run.objective == "classification");
  CHECK(run.train.lr == 0.0025);
  CHECK(run.train.clip_norm == 1.5);
  CHECK(run.train.batch_size == config["train"]["batch_size"].get<int64_t>());
  CHECK(run.train.schedule == config["train"]["schedule"].get<std::string>());
  CHECK(run.train.trim_batches == config["train"]["trim_batches"].get<bool>());
  CHECK_FALSE(run.runtime.fused_attention);
  CHECK(run.runtime.allocator == config["runtime"]["allocator"].get<std::string>());
  REQUIRE(run.pretrain.has_value());
  CHECK(run.pretrain->mask_rate == config["pretrain"]["mask_rate"].get<double>());
  auto scratch_run = config;
  scratch_run.erase("pretrain");  // as lra train writes a scratch run's config
  CHECK_FALSE(lra::parse_run_config(scratch_run).pretrain.has_value());

  const lra::RunConfig pretraining = lra::parse_run_config(lra::pretraining_config(
      lra::test::smoke_config("listops", "luna-16", {"pretrain.mask_rate=0.25", "pretrain.finetune_steps=7"})));
  REQUIRE(pretraining.pretrain.has_value());
  CHECK(pretraining.objective == "masked_tokens");
  CHECK(pretraining.pretrain->mask_rate == 0.25);
  CHECK(pretraining.pretrain->finetune_steps == 0);  // dropped: the fine-tuning's business
}

TEST_CASE("every train and runtime key is parsed, and a missing or mistyped one is named", "[config][run_config]") {
  const auto config = lra::test::smoke_config("listops", "luna-16");
  for (const char* section : {"train", "runtime"}) {
    for (const auto& item : config[section].items()) {
      const std::string key = std::string(section) + "." + item.key();
      INFO(key);
      auto missing = config;
      missing[section].erase(item.key());
      CHECK_THROWS_AS(lra::parse_run_config(missing), lra::UserError);
      CHECK_THROWS_WITH(lra::parse_run_config(missing), Contains("config key " + key + ": missing"));
      auto mistyped = config;
      mistyped[section][item.key()] = nlohmann::json::array();
      CHECK_THROWS_WITH(lra::parse_run_config(mistyped), Contains(key + ": has type array"));
    }
  }
}

TEST_CASE("the resume state round-trips through JSON and names its checkpoint when malformed", "[train][resume]") {
  lra::ResumeState state;
  state.step = 12;
  state.micro_batches = 24;
  state.best_val = 0.625;
  state.best_step = 10;
  state.train_curve = {{{"step", 10}, {"loss", 1.5}, {"accuracy", 0.25}, {"lr", 1e-3}}};
  state.val_curve = {{{"step", 10}, {"loss", 1.25}, {"accuracy", 0.625}}};
  for (double s : {0.5, 0.25, 0.125}) state.step_stats.add(s);
  state.train_seconds = 3.5;
  state.eval_seconds = 1.25;
  state.wall_seconds = 6.0;
  state.tokens = 4096;
  state.peak_step_bytes = 1 << 20;
  state.window = {2.5, 3.0, 8.0, 2};

  const nlohmann::json saved = state.to_json();
  const lra::ResumeState back = lra::ResumeState::from_json(saved, "last.ckpt");
  CHECK(back.to_json() == saved);
  CHECK(back.window.steps == 2);
  CHECK(back.step_stats.count() == 3);

  for (const char* key : {"tokens", "curve_window", "step_times", "best_step"}) {
    INFO(key);
    auto broken = saved;
    broken.erase(key);
    CHECK_THROWS_WITH(lra::ResumeState::from_json(broken, "runs/x/last.ckpt"),
                      Contains("runs/x/last.ckpt: malformed resume state") && Contains("without --resume"));
  }
  auto not_lists = saved;
  not_lists["curves"]["val"] = 3;
  CHECK_THROWS_WITH(lra::ResumeState::from_json(not_lists, "last.ckpt"), Contains("curves are not lists"));
}

TEST_CASE("lra train and lra eval apply the config's runtime section the same way", "[runtime][run_config]") {
  const auto config =
      lra::test::smoke_config("listops", "transformer", {"runtime.fused_attention=false", "runtime.dropout=torch",
                                                         "train.steps=2", "train.warmup_steps=1",
                                                         "train.eval_every=2"});
  const auto out = lra::test::scratch("runtime_applied");
  lra::TrainOptions options;
  options.data_dir = lra::test::smoke_listops_data();
  options.out_dir = out.string();
  options.quiet = true;
  lra::set_fused_attention(true);
  lra::set_dropout_implementation("fast");
  REQUIRE(lra::run_training(config, options) == 0);
  CHECK_FALSE(lra::fused_attention_enabled());
  CHECK(lra::dropout_implementation() == "torch");

  // lra eval of that run's checkpoint, in a process whose switches say otherwise
  lra::set_fused_attention(true);
  lra::set_dropout_implementation("fast");
  const auto report = lra::test::read_json(out / "latest.json");
  const std::string best = report["checkpoints"]["best"].get<std::string>();
  const auto result = lra::evaluate_checkpoint(lra::read_checkpoint(best), best, {options.data_dir, "test"});
  CHECK_FALSE(lra::fused_attention_enabled());
  CHECK(lra::dropout_implementation() == "torch");
  CHECK(result.accuracy() == Approx(report["accuracy"]["best_val"]["test"].get<double>()).margin(1e-12));

  // the process defaults again, for the tests after this one
  lra::apply_runtime_settings(lra::parse_runtime_settings(lra::test::smoke_config("listops", "transformer")));
  CHECK(lra::fused_attention_enabled());
}
