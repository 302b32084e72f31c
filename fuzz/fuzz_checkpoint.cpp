// Checkpoint loading (parse_checkpoint: torch's zip + pickle container, then our entries). Seeds are
// written with save_checkpoint itself: a weights-only and a full (optimiser + RNG) checkpoint of a
// tiny model.
#include <torch/torch.h>

#include "fuzz/fuzz_support.h"
#include "lra/checkpoint.h"

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

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = lra_fuzz::seed_dir()) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  lra_fuzz::expect_success_or_user_error([&] { lra::parse_checkpoint(bytes, "fuzz.ckpt"); });
  return 0;
}
