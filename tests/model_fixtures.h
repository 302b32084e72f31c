#pragma once
// Helpers shared by the model tests (header-only; tests/*.cpp are the test binary's sources).
// Include this header FIRST in a test file: c10's logging header defines its own CHECK (a fatal
// assert that Catch never sees), so it must come before catch.hpp for CHECK to be Catch's.
#include <c10/util/Logging.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <torch/types.h>

#include "lra/config/cell_config.h"
#include "models/registry.h"
#include "core/batch.h"
#include "core/task_info.h"

namespace lra::test {

// The smoke profile's resolved config of (task, model), plus --set style overrides (a model defined in
// code resolves from its registry entry's config layer).
inline nlohmann::json smoke_config(const std::string& task, const std::string& model,
                                   std::vector<std::string> overrides = {}) {
  return resolve_cell_config({task, model, "smoke", std::move(overrides), ""});
}

// A batch whose sample b has lengths[b] real tokens (CLS first, then random ids) padded with 0 to
// `width` columns. Pair tasks get a second document with lengths2 (default: lengths).
inline Batch make_test_batch(const TaskInfo& task, const std::vector<int64_t>& lengths, int64_t width,
                             uint64_t seed, std::vector<int64_t> lengths2 = {}) {
  torch::manual_seed(seed);
  auto document = [&](const std::vector<int64_t>& lens, torch::Tensor& tokens, torch::Tensor& mask) {
    const auto b = static_cast<int64_t>(lens.size());
    tokens = torch::randint(1, task.mask_id(), {b, width}, torch::kLong);
    mask = torch::arange(width).unsqueeze(0) < torch::tensor(lens).unsqueeze(1);
    tokens.select(1, 0).fill_(task.cls_id());
    tokens = tokens.masked_fill(mask.logical_not(), 0);
  };
  Batch batch;
  document(lengths, batch.tokens, batch.mask);
  if (task.pair) document(lengths2.empty() ? lengths : lengths2, batch.tokens2, batch.mask2);
  batch.labels = torch::randint(0, task.classes, {static_cast<int64_t>(lengths.size())}, torch::kLong);
  return batch;
}

// The same batch with `extra` pad columns appended to every document.
inline Batch with_extra_padding(const Batch& batch, int64_t extra) {
  auto pad = [extra](const torch::Tensor& t) { return torch::constant_pad_nd(t, {0, extra}, 0); };
  Batch out = batch;
  out.tokens = pad(batch.tokens);
  out.mask = pad(batch.mask);
  if (batch.tokens2.defined()) {
    out.tokens2 = pad(batch.tokens2);
    out.mask2 = pad(batch.mask2);
  }
  return out;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace lra::test
