// `lra bench` end to end at smoke size: every cell runs in a child process, rows carry the measured
// fields, and FLOP utilisation is taken against the reference GEMM of the run's precision.
#include "tests/catch_torch.h"

#include "tests/run_support.h"

TEST_CASE("lra bench measures each cell and its utilisation against a GEMM in the run's precision", "[bench]") {
  const auto out = lra::test::scratch("bench_bf16");
  const int code = lra::test::run_lra({"--threads", "1", "bench", "--task", "text", "--profile", "smoke", "--models",
                                       "luna-16,transformer", "--lengths", "64", "--batch", "2", "--steps", "1",
                                       "--warmup", "1", "--precision", "bf16", "--out", out.string(), "--quiet"});
  REQUIRE(code == 0);
  const auto bench = lra::test::read_json(out / "bench.json");
  CHECK(bench["precision"] == "bf16");
  const auto& reference = bench["reference_gemm"];
  CHECK(reference["dtype"] == "bf16");
  const double before = reference["flops_per_second_before"], after = reference["flops_per_second_after"];
  CHECK(before > 0);
  CHECK(after > 0);
  CHECK(reference["flops_per_second"].get<double>() == std::max(before, after));
  REQUIRE(bench["rows"].size() == 2);
  for (const auto& row : bench["rows"]) {
    INFO(row.dump());
    REQUIRE(row["status"] == "ok");
    CHECK(row["precision"] == "bf16");
    CHECK(row["runtime"]["precision"] == "bf16");
    CHECK(row["step_time_median_s"].get<double>() > 0);
    CHECK(row["peak_tensor_bytes"].get<double>() > 0);
    CHECK(row["flop_utilisation"].get<double>() ==
          Approx(row["achieved_flops_per_second"].get<double>() / reference["flops_per_second"].get<double>()));
  }
  CHECK(std::filesystem::exists(out / "bench.csv"));
  std::filesystem::remove_all(out);
}
