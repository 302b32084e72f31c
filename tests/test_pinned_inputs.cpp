// A run's inputs are pinned (lra/report/run_inputs.h): data regenerated or edited in place, a sweep's config
// edited after planning and a TorchScript module replaced after training are each named, never used without a
// word, by --reuse, lra sweep, lra eval, --resume and --init-from; --accept-changed goes on and is recorded.
// The data fingerprint itself (tasks/common/data_fingerprint.h): what it covers, its cache, its messages.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/sha256.h"
#include "lra/config/config.h"
#include "lra/report/report.h"
#include "lra/report/run_report.h"
#include "tasks/common/data_fingerprint.h"
#include "tests/run_support.h"

namespace {

namespace fs = std::filesystem;
using Catch::Contains;
using lra::Json;
using lra::test::capture_lra;
using lra::test::read_json;
using lra::test::scratch;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Smoke ListOps generated with `seed` into data_dir (in place: what a user regenerating data does).
void generate_listops(const fs::path& data_dir, int seed) {
  const auto run = capture_lra({"data", "generate", "--task", "listops", "--profile", "smoke", "--data-dir",
                                data_dir.string(), "--seed", std::to_string(seed)},
                               scratch("generate_io"));
  INFO(run.err);
  REQUIRE(run.code == 0);
}

// The same examples in another order: a file edited in place whose DATASET.json still says the same.
void reverse_examples(const fs::path& tsv) {
  std::istringstream in(lra::read_text_file(tsv.string()));
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  std::reverse(lines.begin(), lines.end());
  std::string text = header + "\n";
  for (const auto& l : lines) text += l + "\n";
  write(tsv, text);
}

std::vector<std::string> smoke_run(const std::string& command, const fs::path& data, const fs::path& out,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--threads", "1", command, "--task", "listops", "--model", "luna-16", "--profile",
                                "smoke", "--data-dir", data.string(), "--out", out.string(), "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("fingerprint: path, size and content of every file, cached, hidden names left out", "[inputs][data]") {
  const auto dir = scratch("fingerprint");
  write(dir / "a.tsv", "one\n");
  write(dir / "sub" / "b.bin", "two\n");
  write(dir / ".hidden" / "c", "not data\n");
  write(dir / ".editor-swap", "not data\n");
  const auto first = lra::data::fingerprint_folder(dir.string());
  CHECK(first.files == 2);
  CHECK(first.bytes == 8);
  CHECK(first.hashed_files == 2);
  CHECK(first.parts.size() == 2);
  CHECK(first.parts.at("sub/b.bin") == lra::sha256_hex("two\n"));
  CHECK(fs::exists(dir / lra::data::kFingerprintCacheName));

  const auto cached = lra::data::fingerprint_folder(dir.string());
  CHECK(cached.sha256 == first.sha256);
  CHECK(cached.hashed_files == 0);  // only stat'ed

  write(dir / ".hidden" / "c", "changed, still not data\n");
  CHECK(lra::data::fingerprint_folder(dir.string()).sha256 == first.sha256);

  // Same size, other bytes, and the mtime put back: ctime still says it changed.
  struct stat before {};
  REQUIRE(::stat((dir / "a.tsv").c_str(), &before) == 0);
  write(dir / "a.tsv", "ONE\n");
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, (dir / "a.tsv").c_str(), times, 0) == 0);
  const auto edited = lra::data::fingerprint_folder(dir.string());
  CHECK(edited.hashed_files == 1);
  CHECK(edited.sha256 != first.sha256);
  CHECK_THAT(lra::data::fingerprint_difference(first.to_json(), edited.to_json()),
             Contains("a.tsv changed") && Contains("2 files, 8 bytes"));

  write(dir / "sub" / "new.bin", "x");
  fs::remove(dir / "a.tsv");
  const auto moved = lra::data::fingerprint_folder(dir.string());
  CHECK_THAT(lra::data::fingerprint_difference(edited.to_json(), moved.to_json()), Contains("a.tsv is gone"));
  CHECK_THAT(lra::data::fingerprint_difference(moved.to_json(), edited.to_json()), Contains("a.tsv is new"));
  CHECK(lra::data::fingerprint_difference(moved.to_json(), moved.to_json()).empty());

  // Renaming a file changes the digest (paths are part of it), as does a corrupt cache nothing.
  write(dir / lra::data::kFingerprintCacheName, "garbage\n");
  CHECK(lra::data::fingerprint_folder(dir.string()).sha256 == moved.sha256);
  fs::rename(dir / "sub" / "new.bin", dir / "sub" / "renamed.bin");
  CHECK(lra::data::fingerprint_folder(dir.string()).sha256 != moved.sha256);

  CHECK_THROWS_WITH(lra::data::fingerprint_folder((dir / "nothing").string()), Contains("no such data folder"));
}

TEST_CASE("fingerprint of a folder with many files names its top-level entries", "[inputs][data]") {
  const auto dir = scratch("fingerprint_many");
  for (int folder = 0; folder < 3; ++folder)
    for (int i = 0; i < 40; ++i)
      write(dir / "imgs" / std::to_string(folder) / ("sample_" + std::to_string(i) + ".png"), std::to_string(i));
  write(dir / "metadata" / "0.npy", "rows\n");
  const auto before = lra::data::fingerprint_folder(dir.string());
  CHECK(before.files == 121);
  CHECK(before.parts.size() == 2);
  CHECK(before.parts.count("imgs/") == 1);
  CHECK(before.parts.count("metadata/") == 1);
  write(dir / "imgs" / "2" / "sample_7.png", "other");
  CHECK_THAT(lra::data::fingerprint_difference(before.to_json(), lra::data::fingerprint_folder(dir.string()).to_json()),
             Contains("imgs/ changed"));
}

TEST_CASE("train --reuse: data regenerated or edited in place is a new run that names what changed", "[inputs][train]") {
  const auto dir = scratch("reuse_data");
  const auto data = dir / "data";
  generate_listops(data, 1);
  const auto out = dir / "run";
  const auto args = smoke_run("train", data, out, {"--reuse", "--set", "train.steps=4"});
  REQUIRE(lra::test::run_lra(args) == 0);
  const Json first = read_json(out / "latest.json");
  CHECK(first["inputs"]["data"]["folder"] == (data / "listops-1000").string());
  CHECK(first["inputs"]["data"]["files"] == 4);  // three splits and DATASET.json

  generate_listops(data, 2);  // the same folder, other examples
  const auto again = capture_lra(args, scratch("reuse_data_io"));
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK_THAT(again.err, Contains("NOT reused: the data differs: " + (data / "listops-1000").string() + ": "));
  const Json second = read_json(out / "latest.json");
  CHECK(second["run_id"] != first["run_id"]);
  CHECK(second["inputs"]["data"]["sha256"] != first["inputs"]["data"]["sha256"]);

  reverse_examples(data / "listops-1000" / "basic_test.tsv");  // DATASET.json unchanged
  const auto edited = capture_lra(args, scratch("reuse_data_io"));
  REQUIRE(edited.code == 0);
  CHECK_THAT(edited.err, Contains("NOT reused: the data differs") && Contains("basic_test.tsv changed"));
  CHECK(read_json(out / "latest.json")["run_id"] != second["run_id"]);
}

TEST_CASE("lra sweep: a config edited after planning is not run, and lra report marks an accepted one",
          "[inputs][sweep][cli]") {
  const auto dir = scratch("sweep_changed");
  const auto configs = dir / "configs";
  fs::copy(std::string(LRA_SOURCE_DIR) + "/configs", configs, fs::copy_options::recursive);
  const auto out = dir / "runs";
  const auto manifest = out / "sweep" / "manifest.tsv";
  const auto plan = capture_lra({"--config-dir", configs.string(), "plan", "--profile", "smoke", "--tasks", "listops",
                                 "--models", "luna-16", "--seeds", "1", "--out", out.string(), "--manifest",
                                 manifest.string(), "--data-dir", lra::test::smoke_listops_data()},
                                scratch("sweep_changed_io"));
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  const auto lines = lra::read_manifest(manifest.string());
  REQUIRE(lines.size() == 1);
  CHECK(fs::exists(lra::planned_config_path(manifest.string(), lines[0].config_sha256)));

  // The profile edited after planning, as a cluster's array task that starts hours later would find it.
  const auto profile = configs / "profiles" / "smoke.json";
  std::string text = lra::read_text_file(profile.string());
  const auto at = text.find("\"lr\": 0.001,");
  REQUIRE(at != std::string::npos);
  text.replace(at, 12, "\"lr\": 0.002,");
  write(profile, text);

  const std::vector<std::string> sweep{"--config-dir", configs.string(), "--threads", "1", "sweep", manifest.string(),
                                       "--index", "0"};
  const auto refused = capture_lra(sweep, scratch("sweep_changed_io"));
  CHECK(refused.code == 1);
  CHECK_THAT(refused.out, Contains("CHANGED listops / luna-16 / seed 1: the config differs from the manifest's: key "
                                   "train.lr was 0.001, now 0.002") &&
                              Contains("--accept-changed config"));
  CHECK_FALSE(fs::exists(out / lines[0].run_folder / "latest.json"));

  // lra train given the manifest's hash refuses by itself too (a sweep of an older lra, a hand-made line).
  const auto direct = capture_lra({"--config-dir", configs.string(), "train", "--task", "listops", "--model", "luna-16",
                                   "--profile", "smoke", "--data-dir", lra::test::smoke_listops_data(), "--out",
                                   (dir / "direct").string(), "--manifest-config-sha256", lines[0].config_sha256},
                                  scratch("sweep_changed_io"));
  CHECK(direct.code == lra::kExitUserError);
  CHECK_THAT(direct.err, Contains("not the sweep manifest's") && Contains("lra plan --manifest"));

  auto accepting = sweep;
  accepting.insert(accepting.end(), {"--accept-changed", "config"});
  const auto accepted = capture_lra(accepting, scratch("sweep_changed_io"));
  INFO(accepted.out);
  REQUIRE(accepted.code == 0);
  CHECK_THAT(accepted.out, Contains("run as it is now (--accept-changed config)"));
  const Json report = read_json(out / lines[0].run_folder / "latest.json");
  CHECK(report["inputs"]["manifest_config_sha256"] == lines[0].config_sha256);
  CHECK(report["inputs"]["resolved_config_sha256"] != lines[0].config_sha256);
  REQUIRE(report["accepted_changes"].size() == 1);
  CHECK(report["accepted_changes"][0]["input"] == "config");

  const auto folder_report = capture_lra({"report", out.string()}, scratch("sweep_changed_io"));
  CHECK(folder_report.code == lra::kExitPartialInput);
  CHECK_THAT(folder_report.err, Contains("inputs differ") && Contains("line 0 of the sweep planned config") &&
                                    Contains("accepted with --accept-changed config"));
}

TEST_CASE("lra report: a seed that read other data than its cell's other seeds is named", "[inputs][report]") {
  const auto dir = scratch("report_data_mismatch");
  auto report = [&](int seed, const std::string& fingerprint) {
    return Json{{"schema_version", lra::kReportSchemaVersion},
                {"run_id", "20260101-000000-1-000" + std::to_string(seed)},
                {"task", "listops"}, {"model", "luna-16"}, {"seed", seed}, {"status", "completed"},
                {"profile", "smoke"}, {"dtype", "fp32"},
                {"environment", {{"git_commit", "abc"}, {"cpu", "x"}, {"threads", 1}, {"hostname", "h"}}},
                {"data", {{"source", "generated"}, {"substitute", false}}},
                {"inputs", {{"data", {{"sha256", fingerprint}}}}},
                {"timing", {{"wall_seconds", 1.0}}},
                {"majority_baseline", {{"test", 0.2}}},
                {"curves", {{"val", Json::array({{{"step", 10}, {"accuracy", 0.3}}})}}},
                {"accuracy", {{"final", {{"test", 0.3}}}, {"best_val", {{"test", 0.3}}}}}};
  };
  const std::string a(64, 'a'), b(64, 'b');
  for (int seed : {1, 2, 3})
    write(dir / "listops" / "luna-16" / ("seed-" + std::to_string(seed)) / "latest.json",
          report(seed, seed == 2 ? b : a).dump());
  const auto scan = lra::scan_run_reports(dir.string());
  CHECK(scan.runs.size() == 3);  // kept in the tables, named
  REQUIRE(scan.input_mismatches.size() == 1);
  CHECK_THAT(scan.input_mismatches[0].path, Contains("seed-2"));
  CHECK_THAT(scan.input_mismatches[0].why, Contains("bbbbbbbbbbbb") && Contains("aaaaaaaaaaaa"));
  const std::string markdown =
      lra::folder_report_markdown(scan, nullptr, lra::load_published(lra::default_config_dir()));
  CHECK_THAT(markdown, Catch::StartsWith("# LRA report (PARTIAL: 1 run made with other inputs"));
  CHECK(lra::folder_report_summary(scan)["partial_input"] == true);
  CHECK(lra::folder_report_summary(scan)["input_mismatches"].size() == 1);
}

TEST_CASE("train --resume refuses data edited since the checkpoint, and records it when accepted", "[inputs][train]") {
  const auto dir = scratch("resume_data");
  const auto data = dir / "data";
  generate_listops(data, 1);
  const auto out = dir / "run";
  REQUIRE(lra::test::run_lra(smoke_run("train", data, out, {"--set", "train.steps=4", "--stop-after", "2"})) == 0);
  REQUIRE(read_json(out / "latest.json")["status"] == "interrupted");
  reverse_examples(data / "listops-1000" / "basic_train.tsv");

  const auto resume = smoke_run("train", data, out, {"--set", "train.steps=4", "--resume"});
  const auto refused = capture_lra(resume, scratch("resume_data_io"));
  CHECK(refused.code == lra::kExitUserError);
  CHECK_THAT(refused.err, Contains("--resume: run ") && Contains("the data differs") &&
                              Contains("basic_train.tsv changed") && Contains("--accept-changed data"));
  CHECK(read_json(out / "latest.json")["status"] == "interrupted");  // nothing half-written

  auto accepting = resume;
  accepting.insert(accepting.end(), {"--accept-changed", "data"});
  const auto accepted = capture_lra(accepting, scratch("resume_data_io"));
  INFO(accepted.err);
  REQUIRE(accepted.code == 0);
  const Json report = read_json(out / "latest.json");
  CHECK(report["status"] == "completed");
  REQUIRE(report["accepted_changes"].size() == 1);
  CHECK(report["accepted_changes"][0]["input"] == "data");
  CHECK_THAT(report["accepted_changes"][0]["what"].get<std::string>(), Contains("basic_train.tsv changed"));
}

TEST_CASE("train --init-from refuses data edited since the pretraining", "[inputs][pretrain]") {
  const auto dir = scratch("init_from_data");
  const auto data = dir / "data";
  generate_listops(data, 1);
  REQUIRE(lra::test::run_lra(smoke_run("pretrain", data, dir / "pre", {"--set", "pretrain.steps=4"})) == 0);
  reverse_examples(data / "listops-1000" / "basic_train.tsv");  // DATASET.json says the same as before

  const auto finetune =
      smoke_run("train", data, dir / "spt", {"--init-from", (dir / "pre").string(), "--set", "pretrain.steps=4"});
  const auto refused = capture_lra(finetune, scratch("init_from_data_io"));
  CHECK(refused.code == lra::kExitUserError);
  CHECK_THAT(refused.err, Contains("--init-from ") && Contains("basic_train.tsv changed") &&
                              Contains("--accept-changed data"));
  CHECK_FALSE(fs::exists(dir / "spt" / "latest.json"));

  auto accepting = finetune;
  accepting.insert(accepting.end(), {"--accept-changed", "data"});
  REQUIRE(lra::test::run_lra(accepting) == 0);
  CHECK(read_json(dir / "spt" / "latest.json")["accepted_changes"][0]["input"] == "data");
}

TEST_CASE("a script module replaced after training: eval uses the run's copy or refuses, resume and init-from "
          "refuse", "[inputs][script][python]") {
  const auto dir = scratch("script_replaced");
  // Two modules with the same parameter names and shapes, computing different things.
  auto module = [&](const std::string& name, const std::string& body) {
    const auto source = dir / (name + ".py"), file = dir / (name + ".pt");
    write(source, "import torch\nfrom torch import Tensor, nn\nclass M(nn.Module):\n"
                  "    def __init__(self):\n        super().__init__()\n        self.proj = nn.Linear(32, 32)\n"
                  "    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:\n        return " + body + "\n"
                  "    @torch.jit.export\n    def reset_parameters(self):\n"
                  "        nn.init.xavier_uniform_(self.proj.weight)\n        nn.init.zeros_(self.proj.bias)\n"
                  "torch.jit.save(torch.jit.script(M()), '" + file.string() + "')\n");
    REQUIRE(std::system(("/usr/bin/python3 " + source.string()).c_str()) == 0);
    return file;
  };
  const auto trained = module("trained", "self.proj(x)");
  const auto other = module("other", "torch.tanh(self.proj(x)) * 3.0");
  const auto file = dir / "mixer.pt";
  fs::copy_file(trained, file);
  const std::string data = lra::test::smoke_listops_data();
  const std::vector<std::string> common{"--threads", "1", "train", "--task", "listops", "--model",
                                        "script:" + file.string(), "--profile", "smoke", "--data-dir", data,
                                        "--quiet", "--set", "train.steps=4"};
  auto train = [&](const fs::path& out, std::vector<std::string> extra) {
    auto args = common;
    args.insert(args.end(), {"--out", out.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  REQUIRE(lra::test::run_lra(train(dir / "run", {})) == 0);
  const Json report = read_json(dir / "run" / "latest.json");
  const std::string sha256 = report["inputs"]["model_source"]["sha256"];
  CHECK(sha256 == lra::file_sha256(file.string()));
  CHECK(fs::exists(dir / "run" / "model-source" / (sha256 + ".pt")));
  const std::string best = report["checkpoints"]["best"];
  REQUIRE(lra::test::run_lra(train(dir / "paused", {"--stop-after", "2"})) == 0);

  fs::copy_file(other, file, fs::copy_options::overwrite_existing);  // same names and shapes
  const std::vector<std::string> eval{"eval", "--checkpoint", best, "--data-dir", data};
  const auto with_copy = capture_lra(eval, scratch("script_replaced_io"));
  INFO(with_copy.err);
  REQUIRE(with_copy.code == 0);
  CHECK_THAT(with_copy.err, Contains(file.string() + " has changed since the run; evaluating the run's own copy"));
  // The module the weights belong to: the run's own best-validation test loss (printed as lra eval prints it).
  std::ostringstream expected;
  expected << "loss " << report["accuracy"]["best_val"]["test_loss"].get<double>() << "\n";
  CHECK_THAT(with_copy.out, Contains(expected.str()));

  fs::remove_all(dir / "run" / "model-source");
  const auto refused = capture_lra(eval, scratch("script_replaced_io"));
  CHECK(refused.code == lra::kExitUserError);
  CHECK_THAT(refused.err, Contains("the model differs: " + file.string() + " has SHA-256") &&
                              Contains("--accept-changed model"));
  auto accepting = eval;
  accepting.insert(accepting.end(), {"--accept-changed", "model"});
  const auto anyway = capture_lra(accepting, scratch("script_replaced_io"));
  CHECK(anyway.code == 0);
  CHECK_THAT(anyway.err, Contains("evaluating anyway (--accept-changed model)"));

  const auto resume = capture_lra(train(dir / "paused", {"--resume"}), scratch("script_replaced_io"));
  CHECK(resume.code == lra::kExitUserError);
  CHECK_THAT(resume.err, Contains("--resume: run ") && Contains("the model differs") && Contains(file.string()));

  // A pretraining with the first module, fine-tuned after the file was replaced.
  fs::copy_file(trained, file, fs::copy_options::overwrite_existing);
  auto pretrain = train(dir / "pre", {"--set", "pretrain.steps=4"});
  pretrain[2] = "pretrain";
  REQUIRE(lra::test::run_lra(pretrain) == 0);
  fs::copy_file(other, file, fs::copy_options::overwrite_existing);
  const auto finetune = capture_lra(train(dir / "spt", {"--init-from", (dir / "pre").string(), "--set",
                                                       "pretrain.steps=4", "--set", "pretrain.finetune_steps=4"}),
                                    scratch("script_replaced_io"));
  CHECK(finetune.code == lra::kExitUserError);
  CHECK_THAT(finetune.err, Contains("--init-from ") && Contains("the model differs"));
}

TEST_CASE("train --accept-changed names only known inputs", "[inputs][cli]") {
  const auto run = capture_lra({"train", "--task", "listops", "--model", "luna-16", "--profile", "smoke", "--data-dir",
                                lra::test::smoke_listops_data(), "--out", scratch("accept_bad").string(),
                                "--accept-changed", "data,weights"},
                               scratch("accept_bad_io"));
  CHECK(run.code == lra::kExitUserError);
  CHECK_THAT(run.err, Contains("'weights' is not an input") && Contains("config, data, model, commit"));
}
