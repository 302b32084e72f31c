// The op profile behind `lra bench --op-profile`: self time = time inside an op minus its children,
// summed per name over calls and threads; and a real profiled matmul shows up by name.
#include "tests/catch_torch.h"

#include <torch/torch.h>

#include "lra/runtime/op_profile.h"

TEST_CASE("op ranges aggregate into self time per name, children excluded", "[bench][profile]") {
  // thread 0: outer [0,100] containing inner [10,40] and inner [50,60]; thread 1: inner [0,5]
  const std::vector<std::vector<lra::OpRange>> threads{
      {{"outer", true, 0}, {"inner", true, 10}, {"", false, 40}, {"inner", true, 50}, {"", false, 60}, {"", false, 100}},
      {{"inner", true, 0}, {"", false, 5}, {"", false, 9}}};  // a stray pop (push before profiling) is ignored
  const auto ops = lra::aggregate_op_ranges(threads);
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].name == "outer");
  CHECK(ops[0].calls == 1);
  CHECK(ops[0].self_ms == Approx(0.060));  // 100 - 30 - 10 us
  CHECK(ops[1].name == "inner");
  CHECK(ops[1].calls == 3);
  CHECK(ops[1].self_ms == Approx(0.045));
  const auto json = lra::op_profile_json(ops, 1);
  CHECK(json["total_ms"].get<double>() == Approx(0.105));
  REQUIRE(json["ops"].size() == 2);
  CHECK(json["ops"][1]["name"] == "(other ops)");
  CHECK(json["ops"][0]["share"].get<double>() == Approx(0.060 / 0.105));
}

TEST_CASE("a profiled step names the ops it ran", "[bench][profile]") {
  const auto a = torch::randn({64, 64});
  lra::OpProfile profile;
  const auto b = torch::mm(a, a).relu();
  const auto ops = profile.stop();
  bool saw_mm = false;
  for (const auto& op : ops) saw_mm = saw_mm || op.name == "aten::mm";
  CHECK(saw_mm);
  CHECK(b.size(0) == 64);
}
