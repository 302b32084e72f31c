// Pathfinder metadata/<k>.npy (plain text rows): the input is metadata/0.npy; imgs/0/sample_0..3.png
// are valid 32x32 images and sample_4.png is zero bytes (skipped and counted, as in the release).
#include "fuzz/pathfinder_layout.h"
#include "tasks/pathfinder/pathfinder.h"

namespace {

const lra_fuzz::PathfinderLayout& layout() {
  static const lra_fuzz::PathfinderLayout l = [] {
    lra_fuzz::PathfinderLayout made;
    for (int n = 0; n < 4; ++n) lra_fuzz::write_file(made.image(n), lra_fuzz::test_png(32, 60 * n + 50));
    lra_fuzz::write_file(made.image(4), std::string());
    return made;
  }();
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lra_fuzz::write_file(layout().metadata(), data, size);
  lra_fuzz::expect_success_or_user_error([&] { lra::load_pathfinder(layout().root.string(), layout().task); });
  return 0;
}
