// Registry-wide model tests: every registered model is checked for output shapes (single and pair
// tasks), padding invariance, gradients reaching every parameter and a closed-form parameter count,
// so a new variant is tested by registering it. Plus config errors, BERT init and `lra models`.
#include "model_fixtures.h"  // first: see there

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

bool is_luna(const std::string& name) { return name.rfind("luna", 0) == 0; }

// The closed-form parameter count of each registered model, written from the architecture.
int64_t expected_parameters(const nlohmann::json& config) {
  const auto& m = config["model"];
  const auto& t = config["task"];
  const int64_t V = t["vocab_size"], M = t["max_len"], C = t["classes"];
  const int64_t D = m["d_model"], F = m["ffn_dim"], K = m["classifier_dim"], layers = m["layers"];
  const bool emb_ln = m["embedding_layer_norm"], final_ln = m["final_layer_norm"];
  const int64_t blocks = m["tie_layer_weights"].get<bool>() ? 1 : layers;
  const int64_t ln = 2 * D, linear = D * D + D, ffn = (D * F + F) + (F * D + D);
  const int64_t in = t["pair"].get<bool>() ? (m["pair_features"] == "concat" ? 2 * D : 4 * D) : D;
  const int64_t head = in * K + K + K * C;
  int64_t total = V * D + M * D + (emb_ln ? ln : 0) + (final_ln ? ln : 0) + head;
  const std::string name = m["name"];
  const auto& a = m["attention"];
  if (is_luna(name)) {
    const int64_t projections = a.value("tie_kv", false) ? 5 : 7;
    total += a["proj_len"].get<int64_t>() * D + (emb_ln ? ln : 0);    // P and its LayerNorm
    total += blocks * (projections * linear + 3 * ln + ffn);
  } else if (name == "transformer") {
    total += blocks * (4 * linear + 2 * ln + ffn);
  } else if (name == "linformer") {
    total += blocks * (4 * linear + 2 * ln + ffn + 2 * a["k"].get<int64_t>() * M);
  } else if (name == "performer" || name == "linear-transformer" || name == "local") {
    total += blocks * (4 * linear + 2 * ln + ffn);  // Performer's random features are a buffer
  } else if (name == "nystromformer") {
    const int64_t H = m["heads"];
    total += blocks * (4 * linear + 2 * ln + ffn + H * a["conv_kernel"].get<int64_t>());  // depthwise conv
  } else {
    FAIL("no closed-form parameter count for model '" << name << "': add one to expected_parameters");
  }
  return total;
}

// Parameters that legitimately get no gradient: in post-LN Luna the last block's P' is never read
// (pooling reads X), so that block's P LayerNorm is unused (luna.md gotcha 8). Nothing else.
std::set<std::string> expected_without_gradient(const nlohmann::json& config) {
  const auto& m = config["model"];
  if (!is_luna(m["name"]) || m["norm"] == "pre") return {};
  const int64_t layers = m["layers"];
  const bool tied = m["tie_layer_weights"];
  if (tied && layers > 1) return {};  // the one block's P' feeds its next application
  const auto last = "encoder.blocks." + std::to_string(tied ? 0 : layers - 1) + ".p_layer_norm.";
  return {last + "weight", last + "bias"};
}

}  // namespace

TEST_CASE("the registry holds the nine models, each with a one-line description", "[models][registry]") {
  std::vector<std::string> names;
  for (const auto& entry : lra::model_registry()) {
    names.push_back(entry.name);
    CHECK(!entry.description.empty());
    CHECK(entry.description.find('\n') == std::string::npos);
  }
  const std::vector<std::string> expected = {"luna-16",   "luna-128",           "luna-256",      "transformer", "linformer",
                                             "performer", "linear-transformer", "nystromformer", "local"};
  CHECK(names == expected);
}

TEST_CASE("an unknown model name is a UserError listing the known models", "[models][registry]") {
  CHECK_THROWS_AS(lra::find_model("lunaa"), lra::UserError);
  CHECK_THROWS_WITH(lra::find_model("lunaa"),
                    Contains("unknown model 'lunaa'") &&
                        Contains("(known: luna-16, luna-128, luna-256, transformer, linformer, performer, "
                                 "linear-transformer, nystromformer, local)"));
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

TEST_CASE("parameter counts equal the closed form of every model", "[models][parameters]") {
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
    const auto count = lra::parameter_count(*lra::build_model(smoke_config("text", entry.name)));
    CHECK_THAT(output, Contains(entry.name) && Contains(std::to_string(count)) && Contains(entry.description));
  }
}
