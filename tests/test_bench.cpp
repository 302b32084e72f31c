// `lra bench` end to end at smoke size: every cell runs in a child process, rows carry the measured
// fields (eval speed included), and FLOP utilisation is taken against the reference GEMM of the run's
// precision; `--cells` times a profile's cells at exactly the shapes `lra train` resolves.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "tests/catch_torch.h"

#include "lra/bench/bench.h"
#include "models/cpu_gemm.h"
#include "tests/run_support.h"
#include "lra/config/config_files.h"

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
    CHECK(row["task"] == "text");
    CHECK(row["step_time_median_s"].get<double>() > 0);
    CHECK(row["peak_tensor_bytes"].get<double>() > 0);
    CHECK(row["eval_batch"] == 2);  // without --cells: the --batch
    CHECK(row["eval_batch_time_median_s"].get<double>() > 0);
    CHECK(row["eval_examples_per_second"].get<double>() > 0);
    CHECK(row["flop_utilisation"].get<double>() ==
          Approx(row["achieved_flops_per_second"].get<double>() / reference["flops_per_second"].get<double>()));
  }
  CHECK(std::filesystem::exists(out / "bench.csv"));
  std::filesystem::remove_all(out);
}

TEST_CASE("lra bench --cells times every task of the profile at the length and batch lra train resolves", "[bench]") {
  const auto out = lra::test::scratch("bench_cells");
  const std::vector<std::string> overrides{"train.batch_size=3", "train.eval_batch_size=5"};  // --set still applies
  const int code = lra::test::run_lra({"--threads", "1", "bench", "--profile", "smoke", "--cells", "--models", "luna-16",
                                       "--steps", "1", "--warmup", "0", "--set", overrides[0], "--set", overrides[1],
                                       "--out", out.string(), "--quiet"});
  REQUIRE(code == 0);
  const auto bench = lra::test::read_json(out / "bench.json");
  CHECK(bench["mode"] == "cells");
  const auto listed = lra::profile_tasks("", "smoke");
  std::vector<std::string> expected;  // run_all.sh's order, which is the task registry's
  for (const auto& entry : lra::task_registry())
    if (std::find(listed.begin(), listed.end(), entry.name) != listed.end()) expected.push_back(entry.name);
  REQUIRE(expected.size() >= 2);
  CHECK(bench["tasks"].get<std::vector<std::string>>() == expected);
  REQUIRE(bench["rows"].size() == expected.size());
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& row = bench["rows"][i];
    INFO(row.dump());
    REQUIRE(row["status"] == "ok");
    CHECK(row["task"] == expected[i]);
    const auto config = lra::resolve_config({expected[i], "luna-16", "smoke", overrides, ""});
    const int64_t length = config["task"]["max_len"], batch = config["train"]["batch_size"];
    const int64_t documents = config["task"]["pair"].get<bool>() ? 2 : 1;
    CHECK(row["length"] == length);
    CHECK(row["batch"] == batch);
    CHECK(batch == 3);
    CHECK(row["documents_per_example"] == documents);
    CHECK(row["tokens_per_second"].get<double>() ==
          Approx(double(batch * length * documents) / row["step_time_median_s"].get<double>()));
    CHECK(row["eval_batch"] == config["train"]["eval_batch_size"]);
    CHECK(row["eval_batch"] == 5);
    CHECK(row["eval_batch_time_median_s"].get<double>() > 0);
    CHECK(row["eval_examples_per_second"].get<double>() ==
          Approx(5.0 / row["eval_batch_time_median_s"].get<double>()));
    lengths.push_back(length);
  }
  const auto retrieval = std::find(expected.begin(), expected.end(), "retrieval");
  REQUIRE(retrieval != expected.end());
  CHECK(bench["rows"][size_t(retrieval - expected.begin())]["documents_per_example"] == 2);
  CHECK(std::set<int64_t>(lengths.begin(), lengths.end()).size() >= 2);  // smoke: 129 for text, 257 for images
  std::filesystem::remove_all(out);
}

TEST_CASE("lra bench --cells refuses --lengths and --batch with one error", "[bench]") {
  const auto out = lra::test::scratch("bench_cells_shape");
  for (const auto& shape : {std::vector<std::string>{"--lengths", "64"}, {"--batch", "4"}}) {
    std::vector<std::string> args{"bench", "--profile", "smoke", "--cells", "--models", "luna-16",
                                  "--out", (out / "bench").string()};
    args.insert(args.end(), shape.begin(), shape.end());
    const auto log = (out / "stderr.txt").string();
    CHECK(lra::test::wait_for(lra::test::spawn_lra(args, {}, log)) == 2);
    std::ifstream in(log);
    const std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(message);
    CHECK(message.find("--cells") != std::string::npos);
    CHECK(message.find("cannot be combined with --task, --lengths or --batch") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out / "bench"));  // nothing ran
  }
  std::filesystem::remove_all(out);
}

TEST_CASE("lra bench names every row's attention kernel and adds the materialised Transformer beside the fused one",
          "[bench]") {
  // The fused kernel needs cblas in this build; set-up installs it (libblas-dev), so its absence is a failure.
  REQUIRE(lra::cpu_gemm_available());
  const auto out = lra::test::scratch("bench_kernels");
  auto bench_with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"--threads", "1", "bench", "--task", "text", "--profile", "smoke", "--models",
                                  "luna-16,transformer,linear-transformer", "--lengths", "64", "--batch", "2",
                                  "--steps", "1", "--warmup", "0", "--out", out.string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    REQUIRE(lra::test::run_lra(args) == 0);
    return lra::test::read_json(out / "bench.json")["rows"];
  };
  const auto rows = bench_with({});
  REQUIRE(rows.size() == 4);
  std::map<std::string, lra::Json> by_label;
  for (const auto& row : rows) {
    INFO(row.dump());
    REQUIRE(row["status"] == "ok");
    by_label[lra::bench_row_label(row)] = row;
  }
  CHECK(by_label.at("luna-16")["attention_kernel"] == "fused");
  CHECK(by_label.at("transformer")["attention_kernel"] == "fused");
  CHECK(by_label.at("linear-transformer")["attention_kernel"] == "none");
  const auto& materialised = by_label.at("transformer (materialised)");
  CHECK(materialised["attention_kernel"] == "materialised");
  CHECK(materialised["runtime"]["fused_attention"] == false);
  // The materialised row stores the (B,H,N,N) probabilities: more memory than the fused one.
  CHECK(materialised["peak_tensor_bytes"].get<double>() > by_label.at("transformer")["peak_tensor_bytes"].get<double>());
  CHECK(by_label.at("luna-16")["speedup_vs_transformer_materialised"].get<double>() > 0);
  CHECK(by_label.at("luna-16")["memory_fraction_vs_transformer_materialised"].get<double>() ==
        Approx(by_label.at("luna-16")["peak_tensor_bytes"].get<double>() / materialised["peak_tensor_bytes"].get<double>()));
  // --no-materialised leaves it out.
  CHECK(bench_with({"--no-materialised"}).size() == 3);
  std::filesystem::remove_all(out);
}
