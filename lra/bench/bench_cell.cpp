// One bench cell, in this process (what `lra bench --cell ...` runs in each child): build the model
// at the cell's resolved config, time full training steps (forward, loss, backward, AdamW) and
// evaluation, measure exact peak memory, optionally profile one step. The grid around it is
// lra/bench/bench.cpp.
#include <chrono>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "core/batch.h"
#include "core/errors.h"
#include "lra/bench/bench.h"
#include "lra/runtime/device.h"
#include "lra/runtime/environment.h"
#include "lra/runtime/memory_allocator.h"
#include "lra/runtime/memory_tracker.h"
#include "lra/runtime/op_profile.h"
#include "lra/runtime/runtime.h"
#include "lra/runtime/step_stats.h"
#include "models/attention/dot_product_attention.h"
#include "models/registry.h"
#include "tasks/registry.h"

namespace lra {
namespace {

using Clock = std::chrono::steady_clock;

// Evaluation as `lra train` runs it (lra/train/evaluate.cpp): eval mode, no autograd, no autocast, one
// forward pass per batch; warm-up passes, then `steps` timed ones. Leaves the model in train mode.
std::vector<double> time_eval(ClassifierModel& model, const TaskInfo& task, int64_t batch_size, int64_t length,
                              const BenchOptions& options, const torch::Device& device) {
  const Batch batch = random_batch(task, batch_size, length, 2).to(device);
  model->eval();
  std::vector<double> times;
  {
    c10::InferenceMode inference;  // as lra/train/evaluate.cpp
    for (int64_t step = 0; step < options.warmup + options.steps; ++step) {
      synchronize(device);
      auto start = Clock::now();
      torch::Tensor logits = model->forward(batch);  // (B,C)
      synchronize(device);
      if (step >= options.warmup) times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
  }
  model->train();
  return times;
}

}  // namespace

Json bench_cell(const BenchOptions& options, const std::string& model_name, int64_t length) {
  const Json config = bench_cell_config(options, model_name, length);
  if (config.at("task").at("max_len").get<int64_t>() != length)
    throw std::runtime_error("bench --cell " + options.task + ":" + model_name + ":" + std::to_string(length) +
                             ": the cell's resolved task.max_len is " + config.at("task").at("max_len").dump());
  const int64_t batch_size = config.at("train").at("batch_size").get<int64_t>();
  // --cells: the eval batch `lra train` uses; otherwise the training batch (a Table 2 grid at 4K tokens
  // cannot afford eval_batch_size there).
  const int64_t eval_batch = options.cells ? config.at("train").at("eval_batch_size").get<int64_t>() : batch_size;
  apply_runtime_settings(parse_runtime_settings(config));
  const torch::Device device = parse_device(options.device);
  // Before the model: parameters and optimiser state count too. Optional because libtorch's profiler
  // and the tracker share one thread-local slot: the op profile runs after tracking has ended.
  std::optional<ScopedMemoryTracking> memory(std::in_place);
  release_free_memory();  // the previous cell's kept pages must not count towards this cell's peak RSS
  reset_peak_rss();
  torch::manual_seed(1);
  ClassifierModel model = build_model(config);
  model->to(device);
  model->train();
  const auto& train = config.at("train");
  torch::optim::AdamW optimizer(model->parameters(),
                                torch::optim::AdamWOptions(train.at("lr").get<double>())
                                    .betas({train.at("adam_beta1").get<double>(), train.at("adam_beta2").get<double>()})
                                    .weight_decay(train.at("weight_decay").get<double>()));
  const TaskInfo task = task_info_from_config(config);
  const Batch batch = random_batch(task, batch_size, length, 1).to(device);

  auto train_step = [&] {
    optimizer.zero_grad();
    torch::Tensor logits;
    {
      AutocastScope autocast(device, options.precision);
      logits = model->forward(batch);
    }
    auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), batch.labels);
    loss.backward();
    optimizer.step();
    synchronize(device);
  };
  StepStats stats;
  int64_t peak = 0;
  reset_attention_kernels_used();
  for (int64_t step = 0; step < options.warmup + options.steps; ++step) {
    memory->tracker().reset_peak();
    reset_device_peak(device);
    synchronize(device);
    auto start = Clock::now();
    train_step();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (step >= options.warmup) {
      stats.add(seconds);
      peak = std::max(peak, device.is_cuda() ? device_peak_bytes(device) : memory->tracker().peak_bytes());
    }
  }
  const int64_t peak_rss = peak_rss_bytes();  // of the training steps
  const std::string kernel = attention_kernels_used();
  std::vector<double> eval_times = time_eval(model, task, eval_batch, length, options, device);
  const double eval_median = quantile(eval_times, 0.5);
  Json op_profile;
  if (options.op_profile) {  // one more step, after the timed ones: profiler overhead stays out of them
    memory.reset();
    OpProfile profile;
    train_step();
    op_profile = op_profile_json(profile.stop());
  }
  std::vector<double> times = stats.to_json().get<std::vector<double>>();
  const double median = quantile(times, 0.5);
  const ModelEntry& entry = find_model(model_name);
  const double flops = entry.train_step_flops(config, batch_size, length);
  const int64_t documents = task.pair ? 2 : 1;
  return {{"task", options.task},
          {"model", model_name},
          {"length", length},
          {"batch", batch_size},
          {"documents_per_example", documents},
          {"status", "ok"},
          {"attention_kernel", kernel.empty() ? kNoAttentionKernel : kernel},
          {"parameters", parameter_count(*model)},
          {"step_time_median_s", median},
          {"step_time_p10_s", quantile(times, 0.1)},
          {"step_time_p90_s", quantile(times, 0.9)},
          {"steps_per_second", median > 0 ? 1.0 / median : 0.0},
          {"tokens_per_second", median > 0 ? double(batch.real_tokens) / median : 0.0},
          {"peak_tensor_bytes", peak},
          {"peak_rss_bytes", peak_rss},
          {"train_step_flops", flops},
          {"achieved_flops_per_second", median > 0 ? flops / median : 0.0},
          {"timed_steps", options.steps},
          {"warmup_steps", options.warmup},
          {"eval_batch", eval_batch},
          {"eval_batch_time_median_s", eval_median},
          {"eval_batch_time_p10_s", quantile(eval_times, 0.1)},
          {"eval_batch_time_p90_s", quantile(eval_times, 0.9)},
          {"eval_examples_per_second", eval_median > 0 ? double(eval_batch) / eval_median : 0.0},
          {"eval_tokens_per_second", eval_median > 0 ? double(eval_batch * length * documents) / eval_median : 0.0},
          {"eval_timed_batches", options.steps},
          {"dropout", config.at("model").at("dropout")},
          {"attention_dropout", config.at("model").at("attention_dropout")},
          {"device", device.str()},
          {"precision", options.precision},
          {"runtime", config.at("runtime")},
          {"op_profile", op_profile},
          {"environment", environment_block(device.str())}};
}

}  // namespace lra
