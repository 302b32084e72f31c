// Corrupt checkpoints: the inputs fuzz_checkpoint found (tests/fixtures/checkpoints/, each named for
// what is wrong with it) and a pickle with one changed byte. Each is refused with one UserError line,
// without a crash and without touching gigabytes of memory: libtorch's unpickler allocates and fills
// whatever a corrupt length or memo index claims, so lra checks the pickle's CRC-32 and lengths first.
#include "model_fixtures.h"  // first: see there

#include <filesystem>
#include <fstream>

#include <torch/nn/modules/linear.h>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "lra/train/checkpoint.h"
#include "lra/runtime/memory_tracker.h"
#include "scratch.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

TEST_CASE("checkpoints found by the fuzzer are refused in one line without a memory spike", "[checkpoint]") {
  const fs::path folder = fs::path(LRA_FIXTURES) / "checkpoints";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    CAPTURE(entry.path().string());
    ++files;
    lra::reset_peak_rss();
    const int64_t before = lra::current_rss_bytes();
    CHECK_THROWS_WITH(lra::read_checkpoint(entry.path().string()), Contains("not a readable checkpoint"));
    CHECK(lra::peak_rss_bytes() - before < (int64_t{256} << 20));
  }
  CHECK(files == 4);
}

TEST_CASE("a checkpoint whose pickle has one byte changed fails its CRC-32 and is refused", "[checkpoint]") {
  const fs::path dir = lra::test::scratch("corrupt_checkpoint");
  torch::nn::Linear model(3, 2);
  const std::string path = (dir / "good.ckpt").string();
  lra::save_checkpoint(path, {{"task", {{"name", "listops"}}}}, {{"step", 1}}, *model, nullptr, false);
  CHECK_NOTHROW(lra::read_checkpoint(path));
  std::string bytes = lra::read_text_file(path);
  const size_t at = bytes.find("restore_type_tag");  // a name inside data.pkl
  REQUIRE(at != std::string::npos);
  bytes[at] = 'R';
  const std::string changed = (dir / "changed.ckpt").string();
  std::ofstream(changed, std::ios::binary) << bytes;
  CHECK_THROWS_WITH(lra::read_checkpoint(changed), Contains("changed.ckpt: not a readable checkpoint"));
  fs::remove_all(dir);
}
