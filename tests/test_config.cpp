// Config layering, typed overrides and every error class (unknown key, wrong type, bad value,
// bad JSON, unknown task/model/profile), plus every shipped config file resolving cleanly.
#include "tests/catch_torch.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "lra/config/config.h"
#include "core/errors.h"
#include "scratch.h"

using lra::Json;
using Catch::Matchers::Contains;

namespace {
lra::LayeredConfig small_config() {
  return lra::LayeredConfig(Json::parse(R"({"model": {"layers": 2, "dropout": 0.1, "norm": "post",
      "tie": false, "sizes": [1, 2], "attention": {}}, "train": {"lr": 0.001}})"),
                            "defaults.json");
}
}  // namespace

TEST_CASE("later layers replace earlier values and remember their source", "[config]") {
  auto config = small_config();
  config.apply(Json::parse(R"({"model": {"layers": 4}})"), "task.json");
  config.apply(Json::parse(R"({"model": {"dropout": 0.3}})"), "profile.json");
  CHECK(config.value()["model"]["layers"] == 4);
  CHECK(config.value()["model"]["dropout"] == 0.3);
  CHECK(config.value()["train"]["lr"] == 0.001);
  CHECK(config.source_of("model.layers") == "task.json");
  CHECK(config.source_of("model.dropout") == "profile.json");
  CHECK(config.source_of("train.lr") == "defaults.json");
}

TEST_CASE("an integer may replace a number but not the other way round", "[config]") {
  auto config = small_config();
  config.apply(Json::parse(R"({"train": {"lr": 1}})"), "a.json");
  CHECK(config.value()["train"]["lr"].is_number_float());
  CHECK_THROWS_WITH(config.apply(Json::parse(R"({"model": {"layers": 2.5}})"), "b.json"),
                    Contains("b.json") && Contains("'model.layers' must be an integer"));
}

TEST_CASE("an unknown key names the file and the nearest valid key", "[config]") {
  auto config = small_config();
  CHECK_THROWS_WITH(config.apply(Json::parse(R"({"model": {"lyers": 3}})"), "x.json"),
                    Contains("x.json") && Contains("unknown key 'model.lyers'") &&
                        Contains("nearest valid key: 'model.layers'"));
}

TEST_CASE("open sections accept new keys only under their prefix", "[config]") {
  auto config = small_config();
  config.apply(Json::parse(R"({"model": {"attention": {"proj_len": 16}}})"), "luna.json", {"model.attention"});
  CHECK(config.value()["model"]["attention"]["proj_len"] == 16);
  config.apply_override("model.attention.proj_len=32");
  CHECK(config.value()["model"]["attention"]["proj_len"] == 32);
  CHECK_THROWS_AS(config.apply(Json::parse(R"({"model": {"extra": 1}})"), "luna.json", {"model.attention"}),
                  lra::UserError);
}

TEST_CASE("values given with --set are typed by the key they replace", "[config]") {
  auto config = small_config();
  config.apply_override("model.layers=6");
  config.apply_override("model.dropout=0.25");
  config.apply_override("model.norm=pre");
  config.apply_override("model.tie=true");
  config.apply_override("model.sizes=[3,4,5]");
  config.apply_override("train.lr=5e-4");
  const Json& v = config.value();
  CHECK(v["model"]["layers"] == 6);
  CHECK(v["model"]["layers"].is_number_integer());
  CHECK(v["model"]["dropout"] == 0.25);
  CHECK(v["model"]["norm"] == "pre");
  CHECK(v["model"]["tie"] == true);
  CHECK(v["model"]["sizes"] == Json::parse("[3,4,5]"));
  CHECK(v["train"]["lr"] == 5e-4);
  CHECK(config.source_of("model.layers") == "--set model.layers=6");
}

TEST_CASE("every --set error class is one clear UserError", "[config]") {
  auto config = small_config();
  CHECK_THROWS_WITH(config.apply_override("model.layers=abc"), Contains("'model.layers' expects an integer"));
  CHECK_THROWS_WITH(config.apply_override("model.layers=3x"), Contains("expects an integer"));
  CHECK_THROWS_WITH(config.apply_override("model.dropout=high"), Contains("expects a number"));
  CHECK_THROWS_WITH(config.apply_override("model.tie=maybe"), Contains("expects a boolean"));
  CHECK_THROWS_WITH(config.apply_override("model.sizes=[1,"), Contains("expects an array"));
  CHECK_THROWS_WITH(config.apply_override("model.sizes=[\"a\"]"), Contains("same element type"));
  CHECK_THROWS_WITH(config.apply_override("model.layer=3"),
                    Contains("unknown key 'model.layer'") && Contains("nearest valid key: 'model.layers'"));
  CHECK_THROWS_WITH(config.apply_override("model=3"), Contains("is a section"));
  CHECK_THROWS_WITH(config.apply_override("novalue"), Contains("expected key.path=value"));
  CHECK_THROWS_WITH(config.apply_override("train.lr=1e999"), Contains("in range"));
}

TEST_CASE("bad JSON names the file, line and column", "[config]") {
  std::string path = lra::test::scratch("config").string() + "/bad.json";
  std::ofstream(path) << "{\n  \"a\": 1,\n  \"b\": \n}\n";
  CHECK_THROWS_WITH(lra::load_json_file(path), Contains(path) && Contains("bad JSON") && Contains("line 4"));
  CHECK_THROWS_WITH(lra::load_json_file(lra::test::scratch("config").string() + "/missing.json"), Contains("cannot read"));
}

TEST_CASE("comments are allowed in config files", "[config]") {
  std::string path = lra::test::scratch("config").string() + "/commented.json";
  std::ofstream(path) << "// why\n{ \"a\": 1 // because\n}\n";
  CHECK(lra::load_json_file(path)["a"] == 1);
}

TEST_CASE("the shipped configs resolve: task + model + profile + --set", "[config]") {
  lra::ConfigRequest request{"listops", "luna-16", "cpu", {"train.lr=0.002"}, ""};
  Json c = lra::resolve_config(request);
  CHECK(c["task"]["name"] == "listops");
  CHECK(c["model"]["name"] == "luna-16");
  CHECK(c["profile"] == "cpu");
  CHECK(c["task"]["classes"] == 10);               // task file
  CHECK(c["model"]["attention"]["proj_len"] == 16);  // model file
  CHECK(c["model"]["d_model"] == 64);               // profile (all) beats task (512)
  CHECK(c["task"]["max_len"] == 257);               // profile (tasks.listops)
  CHECK(c["train"]["lr"] == 0.002);                 // --set beats everything
}

TEST_CASE("every task x model x profile combination resolves", "[config]") {
  const std::string dir = lra::default_config_dir();
  auto tasks = lra::list_config_names(dir, "tasks");
  auto models = lra::list_config_names(dir, "models");
  auto profiles = lra::list_config_names(dir, "profiles");
  REQUIRE(tasks.size() >= 6);
  REQUIRE(models.size() >= 5);
  REQUIRE(profiles.size() >= 3);
  for (const auto& t : tasks)
    for (const auto& m : models)
      for (const auto& p : profiles) {
        INFO(t << " " << m << " " << p);
        CHECK_NOTHROW(lra::resolve_config({t, m, p, {}, dir}));
      }
}

TEST_CASE("unknown task, model and profile names list the known ones", "[config]") {
  CHECK_THROWS_WITH(lra::resolve_config({"listop", "luna-16", "paper", {}, ""}),
                    Contains("unknown task 'listop'") && Contains("listops"));
  CHECK_THROWS_WITH(lra::resolve_config({"listops", "lunaa", "paper", {}, ""}),
                    Contains("unknown model 'lunaa'") && Contains("luna-16"));
  CHECK_THROWS_WITH(lra::resolve_config({"listops", "luna-16", "fast", {}, ""}),
                    Contains("unknown profile 'fast'") && Contains("smoke"));
}

TEST_CASE("a profile with an unknown section is rejected", "[config]") {
  std::string dir = lra::test::scratch("config").string() + "/configs";
  std::filesystem::create_directories(dir);
  std::filesystem::copy(lra::default_config_dir(), dir,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir + "/profiles/odd.json") << R"({"everything": {}})";
  CHECK_THROWS_WITH(lra::resolve_config({"listops", "luna-16", "odd", {}, dir}),
                    Contains("unknown section 'everything'"));
}
