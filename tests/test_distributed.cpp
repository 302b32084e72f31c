// Data-parallel training through c10d/Gloo on localhost: 2 ranks x batch B equal 1 process x batch
// 2B (same seed, dropout off), and a killed rank makes the survivor fail with a timeout naming it.
#include "tests/catch_torch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "lra/train/checkpoint.h"
#include "lra/config/config.h"
#include "tasks/registry.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using lra::Json;

using lra::test::scratch;
using lra::test::wait_for;

namespace {

const std::string& data_dir() { return lra::test::smoke_listops_data(); }

std::vector<std::string> train_args(const fs::path& out, int batch, int steps) {
  return {"train", "--task", "listops", "--model", "luna-16", "--profile", "smoke", "--data-dir", data_dir(),
          "--out", out.string(), "--quiet", "--set", "train.batch_size=" + std::to_string(batch),
          "--set", "train.steps=" + std::to_string(steps), "--set", "train.eval_every=4",
          "--set", "model.dropout=0", "--set", "model.attention_dropout=0"};
}

Json latest(const fs::path& out) { return lra::test::read_json(out / "latest.json"); }

}  // namespace

TEST_CASE("2 ranks with batch B end with the parameters of 1 process with batch 2B", "[distributed]") {
  fs::path single = scratch("single"), pair = scratch("pair");
  auto one = train_args(single, 8, 8);
  one.insert(one.begin(), {"--threads", "1"});
  REQUIRE(wait_for(lra::test::spawn_lra(one)) == 0);
  auto two = train_args(pair, 4, 8);
  two.insert(two.begin(), {"--threads", "1", "launch", "-n", "2", "--"});
  REQUIRE(wait_for(lra::test::spawn_lra(two)) == 0);

  Json a = latest(single), b = latest(pair);
  CHECK(b["distributed"]["world_size"] == 2);
  CHECK(b["distributed"]["backend"] == "gloo");
  CHECK(b["distributed"]["per_rank_step_time_median_s"].size() == 2);
  auto x = lra::read_checkpoint(a["checkpoints"]["last"]).model;
  auto y = lra::read_checkpoint(b["checkpoints"]["last"]).model;
  double maxdiff = 0;
  for (const auto& entry : x)
    maxdiff = std::max(maxdiff, (entry.value() - y.at(entry.key())).abs().max().item<double>());
  INFO("maxdiff " << maxdiff << " (tolerance 1e-5)");
  CHECK(maxdiff <= 1e-5);
  CHECK(a["accuracy"]["final"]["test"] == b["accuracy"]["final"]["test"]);
  CHECK(a["accuracy"]["final"]["val"] == b["accuracy"]["final"]["val"]);
}

TEST_CASE("a rank killed mid-run makes the other exit with a timeout that names it", "[distributed]") {
  fs::path out = scratch("killed");
  const std::string port = std::to_string(29700 + ::getpid() % 200);
  auto args = train_args(out, 4, 100000);
  args.insert(args.begin(), {"--threads", "1"});
  args.insert(args.end(), {"--dist-timeout", "10"});
  std::string log = (out / "rank0.log").string();
  std::vector<std::string> env0{"WORLD_SIZE=2", "RANK=0", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port};
  std::vector<std::string> env1{"WORLD_SIZE=2", "RANK=1", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port};
  pid_t rank0 = lra::test::spawn_lra(args, env0, log);
  pid_t rank1 = lra::test::spawn_lra(args, env1, (out / "rank1.log").string());
  for (int i = 0; i < 600 && !fs::exists(out / "latest.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(rank1, SIGKILL);
  wait_for(rank1);
  auto start = std::chrono::steady_clock::now();
  int rc = wait_for(rank0);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string text = lra::read_text_file(log);
  INFO(text);
  CHECK(rc == 2);
  CHECK(waited < 60);
  CHECK(text.find("missing rank(s): 1") != std::string::npos);
}

TEST_CASE("lra pretrain runs data-parallel on 2 ranks and a single process fine-tunes from it", "[distributed][pretrain]") {
  fs::path pre = scratch("pretrain_pair"), fine = scratch("pretrain_pair_ft");
  auto two = train_args(pre, 4, 8);
  two[0] = "pretrain";
  two.insert(two.end(), {"--set", "pretrain.steps=6"});
  two.insert(two.begin(), {"--threads", "1", "launch", "-n", "2", "--"});
  REQUIRE(wait_for(lra::test::spawn_lra(two)) == 0);
  const Json p = latest(pre);
  CHECK(p["status"] == "completed");
  CHECK(p["objective"] == "masked_tokens");
  CHECK(p["distributed"]["world_size"] == 2);
  CHECK(p["steps_done"] == 6);
  auto ft = train_args(fine, 8, 8);
  ft.insert(ft.end(), {"--init-from", pre.string()});
  REQUIRE(wait_for(lra::test::spawn_lra(ft)) == 0);
  CHECK(latest(fine)["updates"]["pretrain"] == 6);
  CHECK(latest(fine)["updates"]["train"] == 2);
}
