// Ranges declared in configs/defaults.json: the range grammar, every numeric key of the schema having
// one, every shipped config being inside them, the rules between keys, and the error naming key, value,
// range and layer.
#include "tests/catch_torch.h"

#include <cmath>
#include <set>

#include "lra/config/config.h"
#include "lra/config/config_ranges.h"
#include "core/errors.h"
#include "models/registry.h"
#include "tasks/registry.h"

using Catch::Matchers::Contains;
using lra::Json;

namespace {

Json resolve(const std::string& task, const std::string& model, const std::string& profile,
             std::vector<std::string> overrides = {}) {
  return lra::resolve_config({task, model, profile, std::move(overrides), ""});
}

std::string error_of(const std::string& task, const std::string& model, std::vector<std::string> overrides) {
  try {
    resolve(task, model, "smoke", std::move(overrides));
  } catch (const lra::UserError& e) {
    return e.what();
  }
  return "";
}

void collect_numeric(const Json& node, const std::string& prefix, std::set<std::string>& out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object()) collect_numeric(it.value(), path, out);
    else if (it.value().is_number()) out.insert(path);
  }
}

std::vector<std::pair<std::string, lra::ValueRange>> declared_ranges() { return lra::declared_ranges(""); }

}  // namespace

TEST_CASE("range texts: bounds, intervals, sets, and anything else is an error", "[config][ranges]") {
  using lra::ValueRange;
  const auto at_least_one = ValueRange::parse(">= 1", "k");
  CHECK(at_least_one.contains(1));
  CHECK(at_least_one.contains(1e9));
  CHECK_FALSE(at_least_one.contains(0));
  CHECK_FALSE(at_least_one.contains(std::nan("")));
  CHECK_FALSE(at_least_one.contains(INFINITY));
  CHECK_FALSE(at_least_one.contains("1"));
  const auto unit = ValueRange::parse("[0, 1)", "k");
  CHECK(unit.contains(0));
  CHECK(unit.contains(0.999));
  CHECK_FALSE(unit.contains(1));
  CHECK_FALSE(unit.contains(-1e-9));
  CHECK(unit.just_outside() == std::vector<double>{-1e-6, 1.0});
  CHECK(ValueRange::parse("[1, 65536]", "k").just_outside(/*integer=*/true) == std::vector<double>{0.0, 65537.0});
  const auto open = ValueRange::parse("(0, 2]", "k");
  CHECK_FALSE(open.contains(0));
  CHECK(open.contains(2));
  CHECK(ValueRange::parse("> 0", "k").contains(1e-300));
  CHECK_FALSE(ValueRange::parse("< 5", "k").contains(5));
  const auto set = ValueRange::parse("one of cls, mean", "k");
  CHECK(set.contains("mean"));
  CHECK_FALSE(set.contains("max"));
  for (const char* bad : {"", "=> 1", "[1, 0]", "[a, 2]", "1..2", "one of ", ">= nan", "[0, 1"})
    CHECK_THROWS_WITH(ValueRange::parse(bad, "defaults.json: ranges.k"), Contains("ranges.k: bad range"));
}

TEST_CASE("every numeric key of every shipped config has a declared range, and every range a key",
          "[config][ranges]") {
  std::set<std::string> numeric;
  std::set<std::string> all_keys;
  for (const auto& task : lra::list_config_names(lra::default_config_dir(), "tasks"))
    for (const auto& model : lra::list_config_names(lra::default_config_dir(), "models"))
      for (const auto& profile : lra::list_config_names(lra::default_config_dir(), "profiles")) {
        INFO(task << " " << model << " " << profile);
        Json config;
        REQUIRE_NOTHROW(config = resolve(task, model, profile));  // inside every range
        collect_numeric(config, "", numeric);
        std::set<std::string> keys;
        collect_numeric(config, "", keys);
        for (auto it = config.begin(); it != config.end(); ++it)
          if (it.value().is_object())
            for (auto leaf = it.value().begin(); leaf != it.value().end(); ++leaf) {
              all_keys.insert(it.key() + "." + leaf.key());
              if (leaf.value().is_object())
                for (auto deeper = leaf.value().begin(); deeper != leaf.value().end(); ++deeper)
                  all_keys.insert(it.key() + "." + leaf.key() + "." + deeper.key());
            }
      }
  std::set<std::string> declared;
  for (const auto& [key, range] : declared_ranges()) declared.insert(key);
  for (const auto& key : numeric) {
    INFO("numeric key without a range: " << key);
    CHECK(declared.count(key));
  }
  // Keys a loader accepts but no shipped file sets are allowed; a range naming no key anywhere is not.
  const std::set<std::string> optional{"task.generate.images_per_folder", "task.generate.distractor_snakes"};
  for (const auto& key : declared) {
    INFO("range for a key no config has: " << key);
    CHECK((all_keys.count(key) || optional.count(key)));
  }
}

TEST_CASE("an out-of-range value names the key, the value, the range and the layer that set it",
          "[config][ranges]") {
  const std::string batch = error_of("listops", "luna-16", {"train.batch_size=0"});
  CHECK_THAT(batch, Contains("train.batch_size = 0 is out of range: it must be finite and [1, 65536]"));
  CHECK_THAT(batch, Contains("(set by --set train.batch_size=0)"));
  CHECK_THAT(error_of("listops", "luna-16", {"train.lr=-0.1"}), Contains("train.lr = -0.1 is out of range"));
  // --set refuses non-finite numbers while parsing; the range check refuses them from files too.
  CHECK_THAT(error_of("listops", "luna-16", {"train.lr=nan"}), Contains("'train.lr' expects a finite number"));
  CHECK_THAT(error_of("listops", "luna-16", {"train.lr=inf"}), Contains("'train.lr' expects a finite number"));
  const auto positive = lra::ValueRange::parse("> 0", "k");
  CHECK_FALSE(positive.contains(Json(std::nan(""))));
  CHECK_FALSE(positive.contains(Json(INFINITY)));
  CHECK_THAT(error_of("listops", "luna-16", {"model.dropout=1"}), Contains("must be finite and [0, 1)"));
  CHECK_THAT(error_of("listops", "luna-16", {"task.pooling=max"}), Contains("must be one of cls, mean"));
  // JSON whitespace around a number parses; the layer named in the error is escaped (fuzz finding).
  const std::string carriage_return = error_of("listops", "luna-16", {"train.steps=\r0"});
  CHECK_THAT(carriage_return, Contains("(set by --set train.steps=\\x0D0)"));
  CHECK(carriage_return.find('\r') == std::string::npos);
  // A value set by a file names the file.
  CHECK_THAT(error_of("listops", "luna-16", {"model.heads=3"}), Contains("model.d_model = 32: must be a multiple of model.heads = 3"));
}

TEST_CASE("rules between keys", "[config][ranges]") {
  CHECK_THAT(error_of("listops", "luna-16", {"train.warmup_steps=25"}),
             Contains("train.warmup_steps = 25: must not exceed train.steps = 24"));
  CHECK_THAT(error_of("listops", "luna-16", {"train.min_lr=0.01"}), Contains("train.min_lr = 0.01: must not exceed train.lr"));
  CHECK_THAT(error_of("listops", "luna-16", {"task.generate.min_length=200"}),
             Contains("task.generate.min_length = 200: must not exceed task.generate.max_length = 120"));
  // A model file's range with the ", odd or 0" form (configs/models/nystromformer.json)
  CHECK_THAT(error_of("listops", "nystromformer", {"model.attention.conv_kernel=4"}),
             Contains("model.attention.conv_kernel = 4 is out of range: it must be finite and [0, 4095], odd or 0"));
  CHECK(error_of("listops", "nystromformer", {"model.attention.conv_kernel=0"}).empty());
  CHECK(error_of("listops", "nystromformer", {"model.attention.conv_kernel=5"}).empty());
  CHECK_THAT(error_of("pathfinder", "luna-16", {"task.data.downsample=3"}),
             Contains("task.data.downsample = 3: must divide task.data.resolution = 32"));
  CHECK(error_of("listops", "luna-16", {"train.warmup_steps=24", "train.min_lr=0.001"}).empty());
}

TEST_CASE("an integer above INT64_MAX in a file is out of range (it would wrap when read as int64)", "[config][ranges]") {
  const auto non_negative = lra::ValueRange::parse(">= 0", "k");
  CHECK(non_negative.contains(Json(static_cast<uint64_t>(INT64_MAX))));
  CHECK_FALSE(non_negative.contains(Json(static_cast<uint64_t>(INT64_MAX) + 1)));
}
