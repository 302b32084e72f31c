// Checkpoint loading (parse_checkpoint: torch's zip + pickle container, then our entries). Seeds are
// written with save_checkpoint itself: a weights-only and a full (optimiser + RNG) checkpoint of a
// tiny model.
#include <vector>

#include <c10/util/Logging.h>
#include <torch/torch.h>

#include "fuzz/fuzz_support.h"
#include "lra/train/checkpoint.h"

namespace {

void write_seeds(const lra_fuzz::fs::path& dir) {
  torch::manual_seed(1);
  torch::nn::Linear model(3, 2);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
  model->forward(torch::ones({1, 3})).sum().backward();
  optimizer.step();
  const lra::Json config = {{"task", {{"name", "listops"}}}, {"model", {{"name", "tiny"}}}};
  lra::save_checkpoint((dir / "weights.ckpt").string(), config, {{"step", 1}}, *model, nullptr, false);
  lra::save_checkpoint((dir / "full.ckpt").string(), config, {{"step", 1}, {"best_step", 0}}, *model, &optimizer,
                       true);
}

}  // namespace

// Leak checking is off: libtorch's reader leaks ~560 bytes on every archive it rejects (fuzz/lsan.supp),
// which made LeakSanitizer scan the whole heap after nearly every input (5x slower). An allocation that
// cannot be served returns null, as glibc's does (libtorch then throws, and lra reports a corrupt file).
extern "C" const char* __asan_default_options() { return "detect_leaks=0:allocator_may_return_null=1"; }

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // libtorch's zip reader allocates the size a record's directory entry claims (up to 4 GB) before it
  // finds the record's bytes missing and throws. Untouched, that is address space, not memory (RSS
  // stays bounded by -rss_limit_mb); libFuzzer's default limit on one allocation would call it a
  // finding, so this target lifts that limit (libFuzzer parses the flags after this function).
  static std::vector<char*> args(*argv, *argv + *argc);
  static char malloc_limit[] = "-malloc_limit_mb=1000000";
  args.insert(args.begin() + 1, malloc_limit);
  args.push_back(nullptr);
  *argc = static_cast<int>(args.size()) - 1;
  *argv = args.data();
  // Every rejected checkpoint throws a c10::Error, whose constructor symbolises a C++ backtrace by
  // default; that was ~90% of each execution (about 20 executions a second). lra discards the text.
  c10::SetStackTraceFetcher([] { return std::string(); });
  if (const char* dir = lra_fuzz::seed_dir()) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  lra_fuzz::expect_success_or_user_error([&] { lra::parse_checkpoint(bytes, "fuzz.ckpt"); });
  return 0;
}
