#pragma once
// `lra bench`: the LRA Table 2 protocol. For each (model, length n): full training steps (forward,
// loss, backward, AdamW) on random tokens of exactly n, warm-up then timed steps. Each cell runs in
// its own child process, so peak RSS and tensor memory are the cell's alone and an out-of-memory
// kill costs one cell, not the whole table. Each cell also times evaluation: no-grad forward passes
// in eval mode, as `lra train` validates and tests.
//
// `--cells` times a profile's real cells instead: every (task, model) of the profile's "tasks" section
// at exactly the config `lra train --task T --model M --profile P` resolves (its task.max_len,
// train.batch_size and train.eval_batch_size).
#include <string>
#include <vector>

#include "lra/report/bench_rows.h"
#include "lra/config/config.h"

namespace lra {

struct BenchOptions {
  std::string task = "text";
  std::string profile = "paper";
  std::vector<std::string> models;
  std::vector<int64_t> lengths;
  std::vector<std::string> overrides;
  std::string config_dir;
  int64_t batch = 4;
  int64_t steps = 5;
  int64_t warmup = 2;
  double memory_limit_gb = 0.0;  // 0: 85% of physical memory
  std::string out_dir = "results/bench";
  std::string device = "cpu";       // cpu | cuda[:N]
  std::string precision = "fp32";   // fp32 | fp16 | bf16 (autocast, CUDA)
  bool quiet = false;
  bool op_profile = false;  // profile one extra step per cell: self time per operator
  bool cells = false;       // every (task, model) cell of the profile at its own resolved shapes
  bool materialised_reference = true;  // add the reference model's materialised row (see kMaterialisedVariant)
};

// The tasks `--cells` times: the profile's "tasks" section, in the task registry's order (run_all.sh's).
// UserError when the profile has no such section.
std::vector<std::string> cell_tasks(const BenchOptions& options);

// The resolved config a cell runs at (task = options.task). --cells: exactly what `lra train` resolves
// (length is ignored); otherwise the task's config at `length` tokens and options.batch.
// runtime.precision is options.precision either way.
Json bench_cell_config(const BenchOptions& options, const std::string& model, int64_t length);

// One cell, in this process; returns its result row. With --cells, `length` must be the task's
// resolved task.max_len (a protocol check between the parent and its child).
Json bench_cell(const BenchOptions& options, const std::string& model, int64_t length);

// The whole grid (each cell in a child process running `self_exe bench --cell ...`); writes
// bench.json and bench.csv under out_dir and returns the document.
Json run_bench(const BenchOptions& options, const std::string& self_exe);

// Peak memory at `length` extrapolated from measured (length, bytes) points by the log-log slope of
// the last two (a single point scales quadratically, the worst case of softmax attention).
double estimate_peak_bytes(const std::vector<std::pair<int64_t, double>>& measured, int64_t length);

// Practical matmul peak of this machine in a precision (fp32, bf16, fp16): FLOP/s of a large square GEMM.
double measure_gemm_flops(const std::string& device = "cpu", const std::string& precision = "fp32");


}  // namespace lra
