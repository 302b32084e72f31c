// ListOps TSV (basic_train.tsv): the input is the training file; val and test are one valid row each.
#include "fuzz/fuzz_support.h"
#include "tasks/listops/listops.h"

namespace {

struct Setup : lra_fuzz::TaskFolder {
  Setup() : TaskFolder("listops") {
    const std::string valid = "Source\tTarget\n( ( [MAX 2 9 ) ] )\t9\n";
    lra_fuzz::write_file(folder / "basic_val.tsv", valid);
    lra_fuzz::write_file(folder / "basic_test.tsv", valid);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  lra_fuzz::write_file(setup.folder / "basic_train.tsv", data, size);
  lra_fuzz::expect_success_or_user_error([&] { lra::load_listops(setup.root.string(), setup.task); });
  return 0;
}
