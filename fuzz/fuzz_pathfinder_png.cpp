// Pathfinder images: the input is imgs/0/sample_0.png, listed in the metadata beside a valid 32x32
// sample_1.png; decoded in memory first (decode_gray_png), then through the whole loader.
#include "fuzz/pathfinder_layout.h"
#include "tasks/pathfinder/pathfinder.h"

namespace {

const lra_fuzz::PathfinderLayout& layout() {
  static const lra_fuzz::PathfinderLayout l = [] {
    lra_fuzz::PathfinderLayout made;
    lra_fuzz::write_file(made.image(1), lra_fuzz::test_png());
    lra_fuzz::write_file(made.metadata(), lra_fuzz::metadata_row(0, 1) + lra_fuzz::metadata_row(1, 0));
    if (const char* dir = lra_fuzz::seed_dir()) {
      lra_fuzz::write_file(lra_fuzz::fs::path(dir) / "gray32.png", lra_fuzz::test_png(32, 255));
      lra_fuzz::write_file(lra_fuzz::fs::path(dir) / "gray16.png", lra_fuzz::test_png(16, 128));
    }
    return made;
  }();
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  layout();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lra_fuzz::expect_success_or_user_error([&] { lra::decode_gray_png(data, size, "fuzz.png"); });
  lra_fuzz::write_file(layout().image(0), data, size);
  lra_fuzz::expect_success_or_user_error([&] { lra::load_pathfinder(layout().root.string(), layout().task); });
  return 0;
}
