// CIFAR-10 binary batches: the input is data_batch_1.bin; data_batch_2..5 and test_batch hold one
// valid 3073-byte record each (so a valid input trains on its records plus four).
#include "fuzz/fuzz_support.h"
#include "tasks/image/image.h"

namespace {

std::string record(uint8_t label, uint8_t shade) {
  std::string r(lra::kCifarRecordBytes, static_cast<char>(shade));
  r[0] = static_cast<char>(label);
  for (size_t i = 1; i < r.size(); i += 7) r[i] = static_cast<char>(i & 0xFF);
  return r;
}

struct Setup : lra_fuzz::TaskFolder {
  Setup() : TaskFolder("image") {
    task["data"]["val_examples"] = 1;
    for (int b = 2; b <= 5; ++b)
      lra_fuzz::write_file(folder / ("data_batch_" + std::to_string(b) + ".bin"), record(static_cast<uint8_t>(b), 40));
    lra_fuzz::write_file(folder / "test_batch.bin", record(3, 200));
    if (const char* dir = lra_fuzz::seed_dir())  // two valid records, labels 0 and 9
      lra_fuzz::write_file(lra_fuzz::fs::path(dir) / "two_records.bin", record(0, 10) + record(9, 250));
  }
};

const Setup& setup() {
  static const Setup s;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setup();  // writes the seed before the corpus is read
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lra_fuzz::write_file(setup().folder / "data_batch_1.bin", data, size);
  lra_fuzz::expect_success_or_user_error([&] { lra::load_image(setup().root.string(), setup().task); });
  return 0;
}
