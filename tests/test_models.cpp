// Registry-wide model tests: every registered model is checked for output shapes (single and pair
// tasks), padding invariance, gradients reaching every parameter and a closed-form parameter count,
// so a new variant is tested by registering it. Plus config errors, BERT init and `lra models`.
#include "model_fixtures.h"  // first: see there

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>

#include <torch/nn/functional/loss.h>

#include "core/errors.h"
#include "models/attention/luna.h"
#include "models/classifier.h"

using Catch::Matchers::Contains;
using lra::test::make_test_batch;
using lra::test::max_abs_diff;
using lra::test::smoke_config;
using lra::test::with_extra_padding;

namespace {

const std::vector<std::string> kTasks = {"text", "pathfinder", "retrieval"};  // cls, mean, pair

// The closed-form parameter count the model's registry entry declares.
int64_t expected_parameters(const nlohmann::json& config) {
  return lra::find_model(config["model"]["name"]).parameters(lra::model_config_from(config));
}

// The parameters a model's registry entry says get no gradient by design.
std::set<std::string> expected_without_gradient(const nlohmann::json& config) {
  const auto& entry = lra::find_model(config["model"]["name"]);
  return entry.parameters_without_gradient ? entry.parameters_without_gradient(lra::model_config_from(config))
                                           : std::set<std::string>{};
}

}  // namespace

TEST_CASE("the registry: unique names, one-line descriptions, each with a model file, FLOPs and a parameter count",
          "[models][registry]") {
  std::set<std::string> names;
  for (const auto& entry : lra::model_registry()) {
    CAPTURE(entry.name);
    CHECK(names.insert(entry.name).second);
    CHECK(!entry.description.empty());
    CHECK(entry.description.find('\n') == std::string::npos);
    CHECK(entry.attention_flops);
    CHECK(entry.parameters);
  }
  // Every model file names a registered model, and every registered model without its own config
  // layer (ModelEntry::config) has a file.
  const auto files = lra::list_config_names(lra::default_config_dir(), "models");
  for (const auto& file : files) {
    CAPTURE(file);
    CHECK(names.count(file));
  }
  for (const auto& entry : lra::model_registry())
    if (entry.config.is_null()) {
      CAPTURE(entry.name);
      CHECK(std::find(files.begin(), files.end(), entry.name) != files.end());
    }
  CHECK_THROWS_AS(lra::register_model(lra::find_model("transformer")), std::logic_error);  // a name is taken once
}

TEST_CASE("an unknown model name is a UserError listing the known models", "[models][registry]") {
  CHECK_THROWS_AS(lra::find_model("lunaa"), lra::UserError);
  std::string message;
  try {
    lra::find_model("lunaa");
  } catch (const lra::UserError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Contains("unknown model 'lunaa' (known: "));
  for (const auto& entry : lra::model_registry()) CHECK_THAT(message, Contains(entry.name));
  auto config = smoke_config("text", "luna-16");
  config["model"]["name"] = "lunaa";
  CHECK_THROWS_AS(lra::build_model(config), lra::UserError);
}

TEST_CASE("an attention key the variant does not know is a UserError naming it and the known keys",
          "[models][config]") {
  for (const auto& entry : lra::model_registry()) {
    CAPTURE(entry.name);
    auto config = smoke_config("text", entry.name);
    config["model"]["attention"]["foo"] = 1;
    CHECK_THROWS_AS(lra::build_model(config), lra::UserError);
    CHECK_THROWS_WITH(lra::build_model(config),
                      Contains("unknown key 'model.attention.foo'") && Contains(entry.name) && Contains("known:"));
  }
  auto luna = smoke_config("text", "luna-16");
  luna["model"]["attention"]["proj_lenn"] = 16;
  CHECK_THROWS_WITH(lra::build_model(luna), Contains("proj_len, tie_kv, dynamic_projection"));
  auto linformer = smoke_config("text", "linformer");
  linformer["model"]["attention"]["k"] = "big";
  CHECK_THROWS_WITH(lra::build_model(linformer), Contains("model.attention.k must be an integer"));
}

TEST_CASE("every registered model maps single and pair batches to (B, classes) logits", "[models][shapes]") {
  for (const auto& entry : lra::model_registry()) {
    for (const auto& task_name : kTasks) {
      CAPTURE(entry.name, task_name);
      const auto config = smoke_config(task_name, entry.name);
      const auto task = lra::task_info_from_config(config);
      auto model = lra::build_model(config);
      auto batch = make_test_batch(task, {5, 17, 9}, 17, 1, {12, 3, 20});
      if (task.pair) {  // the second document of a different width
        batch.tokens2 = torch::constant_pad_nd(batch.tokens2, {0, 4}, 0);
        batch.mask2 = torch::constant_pad_nd(batch.mask2, {0, 4}, 0);
      }
      for (bool train : {true, false}) {
        model->train(train);
        const auto logits = model->forward(batch);
        CHECK(logits.sizes() == torch::IntArrayRef({3, task.classes}));
        CHECK(torch::isfinite(logits).all().item<bool>());
      }
    }
  }
}

TEST_CASE("appending padding columns does not change any model's logits", "[models][padding]") {
  for (const auto& entry : lra::model_registry()) {
    for (const auto& task_name : kTasks) {
      // {6,14,3} fills the width; {6,10,3} leaves columns that are padding in every sample.
      for (const auto& lengths : {std::vector<int64_t>{6, 14, 3}, std::vector<int64_t>{6, 10, 3}}) {
        const auto config = smoke_config(task_name, entry.name);
        const auto task = lra::task_info_from_config(config);
        auto model = lra::build_model(config);
        model->eval();
        const auto batch = make_test_batch(task, lengths, 14, 2, {9, 2, 13});
        const auto logits = model->forward(batch);
        const auto padded = model->forward(with_extra_padding(batch, 9));
        const double maxdiff = max_abs_diff(logits, padded);
        CAPTURE(entry.name, task_name, lengths, maxdiff);
        CHECK(maxdiff <= 1e-5);
      }
    }
  }
}

TEST_CASE("gradients reach every parameter except the last Luna block's P LayerNorm", "[models][gradients]") {
  std::vector<std::pair<std::string, std::vector<std::string>>> cells;
  for (const auto& entry : lra::model_registry()) {
    cells.push_back({entry.name, {"model.layers=2"}});
    cells.push_back({entry.name, {"model.layers=1"}});
  }
  cells.push_back({"luna-16", {"model.layers=2", "model.tie_layer_weights=true"}});
  cells.push_back({"luna-16", {"model.layers=1", "model.tie_layer_weights=true"}});
  cells.push_back({"luna-16", {"model.layers=2", "model.norm=pre"}});
  cells.push_back({"luna-16", {"model.layers=2", "model.attention.tie_kv=true"}});
  for (const auto& [name, overrides] : cells) {
    for (const std::string task_name : {"text", "retrieval"}) {
      CAPTURE(name, overrides, task_name);
      const auto config = smoke_config(task_name, name, overrides);
      const auto task = lra::task_info_from_config(config);
      auto model = lra::build_model(config);
      model->eval();  // no dropout: a deterministic graph
      const auto batch = make_test_batch(task, {7, 12, 4}, 12, 3);
      torch::nn::functional::cross_entropy(model->forward(batch), batch.labels).backward();
      std::set<std::string> without;
      for (const auto& p : model->named_parameters()) {
        const auto& g = p.value().grad();
        if (!g.defined() || g.abs().sum().item<double>() == 0.0) without.insert(p.key());
      }
      CHECK(without == expected_without_gradient(config));
    }
  }
  // The exception is exactly the one luna.md names, spelled out once.
  const std::set<std::string> last_p_norm = {"encoder.blocks.1.p_layer_norm.weight",
                                             "encoder.blocks.1.p_layer_norm.bias"};
  CHECK(expected_without_gradient(smoke_config("text", "luna-16", {"model.layers=2"})) == last_p_norm);
}

TEST_CASE("every model's declared closed-form parameter count equals its module's", "[models][parameters]") {
  const std::vector<std::vector<std::string>> variants = {
      {}, {"model.layers=3"}, {"model.layers=3", "model.tie_layer_weights=true"},
      {"model.embedding_layer_norm=false", "model.final_layer_norm=true"}, {"model.pair_features=lra4"}};
  for (const auto& entry : lra::model_registry()) {
    for (const std::string task_name : {"text", "retrieval"}) {
      for (const auto& overrides : variants) {
        CAPTURE(entry.name, task_name, overrides);
        const auto config = smoke_config(task_name, entry.name, overrides);
        CHECK(lra::parameter_count(*lra::build_model(config)) == expected_parameters(config));
      }
    }
  }
  const auto tied = smoke_config("text", "luna-256", {"model.attention.tie_kv=true"});
  CHECK(lra::parameter_count(*lra::build_model(tied)) == expected_parameters(tied));
  const auto paper = lra::resolve_config({"text", "luna-256", "paper", {}, ""});
  CHECK(lra::parameter_count(*lra::build_model(paper)) == expected_parameters(paper));
}

TEST_CASE("bert_init draws Linear and Embedding weights from N(0, 0.02), zeroes biases and leaves P alone",
          "[models][init]") {
  const auto config = smoke_config("text", "luna-16", {"model.bert_init=true", "model.d_model=64",
                                                       "model.ffn_dim=256", "model.classifier_dim=64"});
  auto model = std::dynamic_pointer_cast<lra::SequenceClassifierImpl>(lra::build_model(config));
  REQUIRE(model);
  for (const auto& p : model->named_parameters()) {
    CAPTURE(p.key());
    const auto& key = p.key();
    const bool is_ln = key.find("layer_norm") != std::string::npos;
    if (key == "encoder.extra_stream.projected_embeddings") {
      CHECK(p.value().std().item<double>() == Approx(1.0 / std::sqrt(64.0)).epsilon(0.1));
    } else if (!is_ln && key.size() > 5 && key.substr(key.size() - 5) == ".bias") {
      CHECK(p.value().abs().max().item<double>() == 0.0);
    } else if (!is_ln) {
      // std of n draws has relative standard error ~ 1/sqrt(2n); allow 5 of them
      const double tolerance = 5.0 / std::sqrt(2.0 * static_cast<double>(p.value().numel()));
      CHECK(p.value().std().item<double>() == Approx(0.02).epsilon(tolerance));
    }
  }
  CHECK(model->encoder->embed_tokens->weight[0].abs().max().item<double>() == 0.0);  // pad row
}

TEST_CASE("lra models prints every model with its parameter count", "[models][cli]") {
  const std::string command = std::string(LRA_BINARY) + " models --task text --profile smoke 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  CHECK(::pclose(pipe) == 0);
  for (const auto& entry : lra::model_registry()) {
    if (!entry.config.is_null()) continue;  // defined in this test program, not in the lra binary
    const auto count = lra::parameter_count(*lra::build_model(smoke_config("text", entry.name)));
    CHECK_THAT(output, Contains(entry.name) && Contains(std::to_string(count)) && Contains(entry.description));
  }
}
