// The cpu profile's hot paths, one microbenchmark each, so a regression in one kernel shows without a
// training run. Shapes are the profile's (configs/profiles/cpu.json): batch 32, 257 tokens, d 64,
// 4 heads (head dim 16), ffn 128. Every benchmark runs on torch's intra-op threads (default: all
// hardware threads; `--benchmark_filter` picks a subset). "Unfused" rows are the same computation
// with libtorch's ops (runtime.fused_attention off, or the torch dropout): the before of each kernel.
//
//   BM_DotProductAttention/<fused>/<queries>/<keys>   forward only (evaluation)
//   BM_DotProductAttentionStep/<fused>/<queries>/<keys>  forward + backward (training)
//     257x257: Transformer; 256x257 Luna-256 pack, 257x256 its unpack; 257x16 Luna-16 unpack; 257x32 Linformer
//   BM_SoftmaxDropout/<fast>, BM_GeluDropout/<fast>, BM_Dropout/<fast>: the elementwise fused kernels, fwd + bwd
//   BM_ModelStep/<model>: one training step (forward, loss, backward) of each registered model at
//     listops's cpu-profile cell; BM_ModelEval/<model>: its no-grad forward at the eval batch (100)
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "core/batch.h"
#include "core/task_info.h"
#include "lra/config/cell_config.h"
#include "lra/config/config.h"
#include "lra/runtime/runtime.h"
#include "models/attention/dot_product_attention.h"
#include "models/dropout.h"
#include "models/fused_attention.h"
#include "models/gelu_dropout.h"
#include "models/registry.h"
#include "models/softmax_dropout.h"

namespace {

constexpr int64_t kBatch = 32, kHeads = 4, kHeadDim = 16, kTokens = 257, kModel = 64, kFfn = 128;

// Restores runtime switches after a benchmark that flips them.
struct Switches {
  bool fused = lra::fused_attention_enabled();
  std::string dropout = lra::dropout_implementation();
  Switches(bool fused_attention, bool fast_dropout) {
    lra::set_fused_attention(fused_attention);
    lra::set_dropout_implementation(fast_dropout ? "fast" : "torch");
  }
  ~Switches() {
    lra::set_fused_attention(fused);
    lra::set_dropout_implementation(dropout);
  }
};

// q (B,H,M,E), k, v (B,H,S,E) as split_heads makes them (views of (B,*,D)), a key mask with padding.
struct AttentionInputs {
  torch::Tensor q, k, v, keep;
  AttentionInputs(int64_t queries, int64_t keys, bool grad) {
    torch::manual_seed(1);
    auto heads = [&](int64_t n) {
      return torch::randn({kBatch, n, kModel}).view({kBatch, n, kHeads, kHeadDim}).transpose(1, 2).requires_grad_(grad);
    };
    q = heads(queries);
    k = heads(keys);
    v = heads(keys);
    keep = torch::arange(keys).unsqueeze(0) < torch::randint(keys / 2, keys + 1, {kBatch, 1});  // (B,S)
  }
};

void attention_args(benchmark::internal::Benchmark* b) {
  for (int fused : {0, 1})
    for (auto [m, s] : std::vector<std::pair<int, int>>{{257, 257}, {256, 257}, {257, 256}, {257, 16}, {257, 32}})
      b->Args({fused, m, s});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

void BM_DotProductAttention(benchmark::State& state) {
  const Switches switches(state.range(0) != 0, true);
  const AttentionInputs in(state.range(1), state.range(2), false);
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(lra::dot_product_attention(in.q, in.k, in.v, in.keep, 0.0, false));
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_DotProductAttention)->Apply(attention_args);

void BM_DotProductAttentionStep(benchmark::State& state) {
  const Switches switches(state.range(0) != 0, true);
  const AttentionInputs in(state.range(1), state.range(2), true);
  const auto grad = torch::randn({kBatch, kHeads, state.range(1), kHeadDim});
  for (auto _ : state) {
    const auto out = lra::dot_product_attention(in.q, in.k, in.v, in.keep, 0.0, true);
    out.backward(grad);
    benchmark::DoNotOptimize(in.q.grad().data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_DotProductAttentionStep)->Apply(attention_args);

// An elementwise kernel's forward + backward on x (requires grad), fast (1) or torch (0) dropout.
template <typename Op>
void elementwise_step(benchmark::State& state, const torch::Tensor& shape_of, const Op& op) {
  const Switches switches(true, state.range(0) != 0);
  torch::manual_seed(1);
  const auto x = torch::randn_like(shape_of).requires_grad_(true);
  const auto grad = torch::randn_like(shape_of);
  for (auto _ : state) {
    op(x).backward(grad);
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}

void BM_SoftmaxDropout(benchmark::State& state) {  // the unfused attention's probabilities, p = 0.1
  const auto keep = torch::ones({kBatch, kTokens}, torch::kBool);
  elementwise_step(state, torch::empty({kBatch, kHeads, kTokens, kTokens}),
                   [&](const torch::Tensor& x) { return lra::softmax_dropout(x, keep, 0.1, true); });
}
BENCHMARK(BM_SoftmaxDropout)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GeluDropout(benchmark::State& state) {  // the FFN's hidden activations, p = 0.1
  elementwise_step(state, torch::empty({kBatch, kTokens, kFfn}),
                   [](const torch::Tensor& x) { return lra::gelu_dropout(x, 0.1, true); });
}
BENCHMARK(BM_GeluDropout)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Dropout(benchmark::State& state) {  // residual-stream dropout, p = 0.1
  elementwise_step(state, torch::empty({kBatch, kTokens, kModel}),
                   [](const torch::Tensor& x) { return lra::dropout(x, 0.1, true); });
}
BENCHMARK(BM_Dropout)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// A model at listops's cpu-profile cell (its runtime settings applied) and a random batch of
// `batch_key` (train.batch_size or train.eval_batch_size) examples.
struct CellModel {
  lra::ClassifierModel model{nullptr};
  lra::Batch batch;
  CellModel(const std::string& name, const char* batch_key) {
    const auto config = lra::resolve_cell_config({"listops", name, "cpu", {}, ""});
    lra::apply_runtime_settings(lra::parse_runtime_settings(config));
    torch::manual_seed(1);
    model = lra::build_model(config);
    batch = lra::random_batch(lra::task_info_from_config(config), config["train"][batch_key].get<int64_t>(), kTokens, 1);
  }
};

void BM_ModelStep(benchmark::State& state, const std::string& name) {
  CellModel cell(name, "batch_size");
  cell.model->train();
  for (auto _ : state) {
    cell.model->zero_grad();
    torch::nn::functional::cross_entropy(cell.model->forward(cell.batch), cell.batch.labels).backward();
  }
  state.SetItemsProcessed(state.iterations() * cell.batch.size());
}

void BM_ModelEval(benchmark::State& state, const std::string& name) {  // as lra/train/evaluate.cpp runs it
  CellModel cell(name, "eval_batch_size");
  cell.model->eval();
  c10::InferenceMode inference;
  for (auto _ : state) benchmark::DoNotOptimize(cell.model->forward(cell.batch));
  state.SetItemsProcessed(state.iterations() * cell.batch.size());
}

// One BM_ModelStep and BM_ModelEval per registered model.
const bool registered = [] {
  for (const auto& entry : lra::model_registry()) {
    benchmark::RegisterBenchmark(("BM_ModelStep/" + entry.name).c_str(), BM_ModelStep, entry.name)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_ModelEval/" + entry.name).c_str(), BM_ModelEval, entry.name)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
