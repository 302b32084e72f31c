// The atomic writer never leaves a partial file: a failed write keeps the old content and no temp.
#include "tests/catch_torch.h"

#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "scratch.h"

namespace fs = std::filesystem;

namespace {
size_t entries_in(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}
}  // namespace

TEST_CASE("write_json_atomically writes the document and creates parent folders", "[atomic]") {
  fs::path dir = lra::test::scratch("json");
  std::string path = (dir / "a" / "b" / "report.json").string();
  lra::write_json_atomically(path, {{"status", "ok"}, {"n", 3}});
  CHECK(nlohmann::json::parse(lra::read_text_file(path))["n"] == 3);
  CHECK(entries_in(dir / "a" / "b") == 1);  // no temp file left
}

TEST_CASE("a writer that fails leaves the old file intact and no temp file", "[atomic]") {
  fs::path dir = lra::test::scratch("fail");
  std::string path = (dir / "r.json").string();
  lra::write_text_atomically(path, "old");
  CHECK_THROWS(lra::write_atomically(path, [](const std::string& temp) {
    std::ofstream(temp) << "half of a new";
    throw std::runtime_error("disk full");
  }));
  CHECK(lra::read_text_file(path) == "old");
  CHECK(entries_in(dir) == 1);
}

TEST_CASE("replacing a file is all-or-nothing for readers", "[atomic]") {
  fs::path dir = lra::test::scratch("replace");
  std::string path = (dir / "latest.json").string();
  for (int i = 0; i < 50; ++i) {
    lra::write_json_atomically(path, {{"i", i}, {"payload", std::string(10000, 'x')}});
    CHECK(nlohmann::json::parse(lra::read_text_file(path))["i"] == i);
  }
  CHECK(entries_in(dir) == 1);
}

TEST_CASE("stale temp files of dead writers are removed, those of live ones stay", "[atomic]") {
  fs::path dir = lra::test::scratch("stale");
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);  // a pid that no longer runs (reuse within the test is vanishingly rare)
  const std::string dead_temp = ".last.ckpt.tmp." + std::to_string(dead) + ".0";
  const std::string own_temp = ".report.json.tmp." + std::to_string(::getpid()) + ".3";
  const std::string live_temp = ".latest.json.tmp.1.0";  // pid 1 is always alive
  for (const auto& name : {dead_temp, own_temp, live_temp, std::string("last.ckpt"), std::string(".hidden.tmp.x.1")})
    std::ofstream(dir / name) << "partial";
  CHECK(lra::remove_stale_temp_files(dir.string()) == 1);
  CHECK_FALSE(fs::exists(dir / dead_temp));
  CHECK(fs::exists(dir / own_temp));
  CHECK(fs::exists(dir / live_temp));
  CHECK(fs::exists(dir / "last.ckpt"));
  CHECK(fs::exists(dir / ".hidden.tmp.x.1"));
  CHECK(lra::remove_stale_temp_files((dir / "absent").string()) == 0);
}
