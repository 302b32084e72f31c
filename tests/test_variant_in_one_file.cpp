// A variant that lives in this file only: its module, factory, FLOPs, parameter count and config
// layer, registered by one line. It then trains, evaluates and benches with no edit anywhere else,
// and, being in the registry, every registry-wide test of this program checks it too.
#include "model_fixtures.h"  // first: see there

#include <cmath>
#include <filesystem>

#include <torch/nn/modules/linear.h>

#include "lra/bench/bench.h"
#include "lra/train/checkpoint.h"
#include "lra/train/evaluate_checkpoint.h"
#include "lra/train/trainer.h"
#include "models/blocks/transformer_block.h"
#include "models/classifier.h"
#include "models/parameter_count.h"
#include "run_support.h"

namespace {

// Every real token receives the masked mean of the value projections, through an output projection.
class MeanMixerImpl : public lra::SelfAttentionImpl {
 public:
  explicit MeanMixerImpl(int64_t d) {
    value = register_module("value", torch::nn::Linear(d, d));
    out = register_module("out", torch::nn::Linear(d, d));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override {
    const auto keep = mask.unsqueeze(-1).to(x.dtype());                                   // (B,N,1)
    const auto mean = (value(x) * keep).sum(1, true) / keep.sum(1, true).clamp_min(1.0);  // (B,1,D)
    return out(mean.expand_as(x));                                                        // (B,N,D)
  }
  torch::nn::Linear value{nullptr}, out{nullptr};
};

lra::ClassifierModel build_mean_mixer(const nlohmann::json& config) {
  const auto model = lra::model_config_from(config);
  const lra::AttentionKeys keys(model, {});
  const auto block = lra::transformer_block_options(model);
  const int64_t d = model.d_model;
  return lra::make_classifier(model, [block, d] {
    return std::make_shared<lra::TransformerBlockImpl>(block, std::make_shared<MeanMixerImpl>(d));
  });
}

lra::ModelEntry mean_mixer_model() {
  return {"test-mean-mixer",
          "every token gets the masked mean of the value projections (defined in a test file)",
          build_mean_mixer,
          [](const lra::ModelConfig& m, int64_t n) {
            return 2.0 * 2.0 * static_cast<double>(n) * static_cast<double>(m.d_model * m.d_model);  // value, out
          },
          [](const lra::ModelConfig& m) {
            return lra::transformer_block_model_parameters(m, 2 * lra::linear_parameters(m.d_model, m.d_model));
          },
          {},
          nlohmann::json::parse(R"({"model": {"norm": "pre", "embedding_layer_norm": false,
                                              "final_layer_norm": true, "attention": {}}})")};
}

const bool registered = lra::register_model(mean_mixer_model());  // the one registration line

}  // namespace

TEST_CASE("a variant defined in a test file trains, evaluates and benches with no other edit", "[models][registry]") {
  REQUIRE(registered);
  const std::string name = "test-mean-mixer";
  const auto config = lra::test::smoke_config("listops", name);
  CHECK(config["model"]["name"] == name);
  CHECK(config["model"]["norm"] == "pre");  // from the entry's own config layer

  // train: the whole run, with validation and the test split
  const auto out = lra::test::scratch("one_file_variant");
  lra::TrainOptions options;
  options.data_dir = lra::test::smoke_listops_data();
  options.out_dir = (out / "run").string();
  options.quiet = true;
  REQUIRE(lra::run_training(config, options) == 0);
  const auto report = lra::test::read_json(out / "run" / "latest.json");
  CHECK(report["status"] == "completed");
  CHECK(report["parameters"].get<int64_t>() == mean_mixer_model().parameters(lra::model_config_from(config)));

  // evaluate (what lra eval does): the best checkpoint, rebuilt through the registry, gives the report's
  // test accuracy
  const std::string best = report["checkpoints"]["best"].get<std::string>();
  const auto result = lra::evaluate_checkpoint(lra::read_checkpoint(best), best, {options.data_dir, "test"});
  CHECK(result.accuracy() == Approx(report["accuracy"]["best_val"]["test"].get<double>()).margin(1e-12));

  // bench: one cell, with the FLOPs the entry declares
  lra::BenchOptions bench;
  bench.task = "listops";
  bench.profile = "smoke";
  bench.models = {name};
  bench.batch = 2;
  bench.steps = 1;
  bench.warmup = 0;
  bench.quiet = true;
  const auto row = lra::bench_cell(bench, name, 64);
  CHECK(row["status"] == "ok");
  CHECK(row["train_step_flops"].get<double>() > 0);
  CHECK(row["step_time_median_s"].get<double>() > 0);
  std::filesystem::remove_all(out);
}
