// AAN pair TSV (new_aan_pairs.train.tsv): the input is the training file; eval and test are one valid
// row each.
#include "fuzz/fuzz_support.h"
#include "tasks/retrieval/retrieval.h"

namespace {

struct Setup : lra_fuzz::TaskFolder {
  Setup() : TaskFolder("retrieval") {
    const std::string valid = "1\tA00-1001\tA00-1002\tfirst text\tsecond text\n";
    lra_fuzz::write_file(folder / "new_aan_pairs.eval.tsv", valid);
    lra_fuzz::write_file(folder / "new_aan_pairs.test.tsv", valid);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  lra_fuzz::write_file(setup.folder / "new_aan_pairs.train.tsv", data, size);
  lra_fuzz::expect_success_or_user_error([&] { lra::load_retrieval(setup.root.string(), setup.task); });
  return 0;
}
