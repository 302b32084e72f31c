#include "lra/bench/bench.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "lra/config/cell_config.h"
#include "lra/runtime/device.h"
#include "lra/runtime/environment.h"
#include "lra/runtime/runtime.h"
#include "lra/report/seed_aggregate.h"
#include "lra/runtime/step_stats.h"
#include "core/errors.h"
#include "models/registry.h"
#include "tasks/registry.h"
#include "lra/config/config_files.h"

namespace lra {
namespace {

using Clock = std::chrono::steady_clock;

double physical_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kib = 0;
  while (meminfo >> key >> kib)
    if (key == "MemTotal:") return kib * 1024.0;
  return 0.0;
}

std::string format_gb(double bytes) {
  std::ostringstream out;
  out.precision(3);
  out << bytes / 1e9;
  return out.str();
}

// One cell of the grid: what runs in one child process.
struct CellSpec {
  std::string task, model;
  int64_t length = 0, batch = 0;
  Json config;                          // resolved
  std::string variant;                  // "" or kMaterialisedVariant
  std::vector<std::string> overrides;   // the variant's --set keys, on top of the grid's
};

std::string cell_name(const CellSpec& cell) {
  return cell.model + (cell.variant.empty() ? "" : " (" + cell.variant + ")");
}

std::string cell_label(const CellSpec& cell) {
  return cell.task + " / " + cell_name(cell) + " n=" + std::to_string(cell.length) + " b=" + std::to_string(cell.batch);
}

// The reference model again with its probabilities stored for backward, where its default row would
// run the fused kernel (CPU, runtime.fused_attention on): the memory story of the LRA paper's Table 2.
bool wants_materialised_row(const BenchOptions& options, const std::string& model, const Json& config) {
  return options.materialised_reference && model == kReferenceModel && options.device == "cpu" &&
         config.at("runtime").at("fused_attention").get<bool>();
}

// Every cell, its config resolved, so unknown names and out-of-range values (--set, --batch, --lengths)
// fail before any work or file. --cells: task-major in run_all.sh's order; otherwise model-major.
std::vector<CellSpec> plan_cells(const BenchOptions& options) {
  std::vector<CellSpec> cells;
  if (!options.cells) {
    for (const auto& model : options.models) {
      find_model(model);
      for (int64_t length : options.lengths)
        cells.push_back(
            {options.task, model, length, options.batch, bench_cell_config(options, model, length), "", {}});
      if (!wants_materialised_row(options, model, cells.back().config)) continue;
      BenchOptions materialised = options;
      materialised.overrides.push_back("runtime.fused_attention=false");
      for (int64_t length : options.lengths)
        cells.push_back({options.task, model, length, options.batch, bench_cell_config(materialised, model, length),
                         kMaterialisedVariant, {"runtime.fused_attention=false"}});
    }
    return cells;
  }
  for (const auto& task : cell_tasks(options)) {
    BenchOptions per_task = options;
    per_task.task = task;
    for (const auto& model : options.models) {
      find_model(model);
      Json config = bench_cell_config(per_task, model, 0);
      cells.push_back({task, model, config.at("task").at("max_len").get<int64_t>(),
                       config.at("train").at("batch_size").get<int64_t>(), config, "", {}});
    }
  }
  return cells;
}

// Runs `self_exe bench --cell TASK:MODEL:LENGTH ...` in a child process; its row, or a failure row.
Json run_cell_process(const BenchOptions& options, const std::string& self_exe, const CellSpec& cell) {
  const std::string result_file = options.out_dir + "/.cell-" + std::to_string(::getpid()) + ".json";
  std::vector<std::string> args{self_exe, "--threads", std::to_string(at::get_num_threads()), "bench", "--profile",
                                options.profile, "--steps", std::to_string(options.steps), "--warmup",
                                std::to_string(options.warmup), "--cell",
                                cell.task + ":" + cell.model + ":" + std::to_string(cell.length), "--cell-result",
                                result_file, "--device", options.device, "--precision", options.precision};
  if (options.cells)
    args.push_back("--cells");
  else
    args.insert(args.end(), {"--batch", std::to_string(options.batch)});
  if (options.op_profile) args.push_back("--op-profile");
  if (!options.config_dir.empty()) args.insert(args.begin() + 1, {"--config-dir", options.config_dir});
  for (const auto& o : options.overrides) args.insert(args.end(), {"--set", o});
  for (const auto& o : cell.overrides) args.insert(args.end(), {"--set", o});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execv(self_exe.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    Json row = Json::parse(read_text_file(result_file));
    std::remove(result_file.c_str());
    if (!cell.variant.empty()) row["variant"] = cell.variant;
    return row;
  }
  std::string why = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) +
                                              (WTERMSIG(status) == SIGKILL ? " (out of memory?)" : "")
                                        : "exit code " + std::to_string(WEXITSTATUS(status));
  Json row = {{"task", cell.task}, {"model", cell.model}, {"length", cell.length}, {"batch", cell.batch},
              {"status", "failed: " + why}};
  if (!cell.variant.empty()) row["variant"] = cell.variant;
  return row;
}

// Whether the reference's default row at this length ran the fused kernel (else its materialised row
// would measure the same thing again).
bool default_row_was_fused(const Json& rows, const CellSpec& cell) {
  for (const auto& row : rows)
    if (row["model"] == cell.model && !row.contains("variant") && row["length"] == cell.length)
      return row.value("attention_kernel", "") == "fused";
  return false;
}

std::string cell_line(const CellSpec& cell, const Json& row, double seconds) {
  std::ostringstream line;
  line << cell_label(cell) << ": " << row["status"].get<std::string>();
  if (row.contains("attention_kernel")) line << " [attention: " << row["attention_kernel"].get<std::string>() << "]";
  if (row.contains("step_time_median_s"))
    line << "  " << std::to_string(row["step_time_median_s"].get<double>()) << " s/step, peak "
         << format_gb(row["peak_tensor_bytes"].get<double>()) << " GB";
  if (row.contains("eval_examples_per_second"))
    line << ", eval " << std::llround(row["eval_examples_per_second"].get<double>()) << " examples/s (batch "
         << row["eval_batch"].get<int64_t>() << ")";
  if (seconds >= 0) line << "  (" << seconds << " s)";
  return line.str();
}

}  // namespace

std::vector<std::string> cell_tasks(const BenchOptions& options) {
  const std::vector<std::string> listed = profile_tasks(options.config_dir, options.profile);
  if (listed.empty())
    throw UserError("--cells: profile '" + options.profile + "' has no \"tasks\" section, so it names no cells (use a "
                    "profile that lists its tasks, e.g. cpu or smoke, or --task T --lengths N --batch B)");
  // A task the profile runs only as an extra cell (Path-X on the cpu profile) is not a column of the
  // table: timing every model on it would cost more than the whole table.
  std::vector<std::string> extra_only;
  for (const ExtraCell& cell : profile_extra_cells(options.config_dir, options.profile)) extra_only.push_back(cell.task);
  auto listed_has = [&](const std::string& name) {
    return std::find(listed.begin(), listed.end(), name) != listed.end() &&
           std::find(extra_only.begin(), extra_only.end(), name) == extra_only.end();
  };
  std::vector<std::string> ordered;
  for (const auto& entry : task_registry())
    if (listed_has(entry.name)) ordered.push_back(entry.name);
  for (const auto& name : listed)  // not a registered task: resolve_config names it and the known ones
    if (listed_has(name) && std::find(ordered.begin(), ordered.end(), name) == ordered.end()) ordered.push_back(name);
  return ordered;
}

Json bench_cell_config(const BenchOptions& options, const std::string& model, int64_t length) {
  ConfigRequest request{options.task, model, options.profile, options.overrides, options.config_dir};
  if (!options.cells) {
    request.overrides.push_back("task.max_len=" + std::to_string(length));
    request.overrides.push_back("train.batch_size=" + std::to_string(options.batch));
  }
  request.overrides.push_back("runtime.precision=" + options.precision);  // so each row's runtime says it
  return resolve_cell_config(request);
}

double estimate_peak_bytes(const std::vector<std::pair<int64_t, double>>& measured, int64_t length) {
  if (measured.empty()) return 0.0;
  const auto& [n2, m2] = measured.back();
  double slope = 2.0;
  if (measured.size() >= 2) {
    const auto& [n1, m1] = measured[measured.size() - 2];
    if (n2 > n1 && m1 > 0 && m2 > 0) slope = std::max(1.0, std::log(m2 / m1) / std::log(double(n2) / double(n1)));
  }
  return m2 * std::pow(double(length) / double(n2), slope);
}

// The machine's practical GEMM limit in the run's precision (fp32: sgemm; bf16/fp16: the GEMM autocast
// runs): 2048x2048 products repeated for at least a second, median rate. Measured before and after the
// cells; the larger is the reference, since clock changes and busy neighbours only ever slow it down.
double measure_gemm_flops(const std::string& device_name, const std::string& precision) {
  const torch::Device device = parse_device(device_name);
  const auto dtype = precision == "bf16" ? torch::kBFloat16 : precision == "fp16" ? torch::kHalf : torch::kFloat;
  const int64_t n = 2048;
  auto a = torch::randn({n, n}, torch::TensorOptions().device(device)).to(dtype);
  auto b = torch::randn({n, n}, torch::TensorOptions().device(device)).to(dtype);
  auto c = torch::mm(a, b);  // warm-up
  synchronize(device);
  std::vector<double> rates;
  const auto begin = Clock::now();
  while (rates.size() < 5 || std::chrono::duration<double>(Clock::now() - begin).count() < 1.0) {
    auto start = Clock::now();
    torch::mm_out(c, a, b);
    synchronize(device);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    rates.push_back(2.0 * double(n) * double(n) * double(n) / seconds);
  }
  return quantile(rates, 0.5);
}

Json run_bench(const BenchOptions& options, const std::string& self_exe) {
  const double limit = options.memory_limit_gb > 0 ? options.memory_limit_gb * 1e9 : 0.85 * physical_memory_bytes();
  const std::vector<CellSpec> cells = plan_cells(options);
  apply_runtime_settings(parse_runtime_settings(cells.front().config));  // as the cells do
  const double gemm_before = measure_gemm_flops(options.device, options.precision);
  Json rows = Json::array();
  // Measured peaks per model, to skip lengths that would not fit. Not with --cells: there a model's
  // cells differ in widths and tasks, so one cell does not predict the next; each runs, in its own process.
  std::map<std::string, std::vector<std::pair<int64_t, double>>> measured;
  for (const auto& cell : cells) {
    if (cell.variant == kMaterialisedVariant && !default_row_was_fused(rows, cell)) {
      if (!options.quiet) std::cerr << cell_label(cell) << ": not run (the default row did not run the fused kernel)\n";
      continue;
    }
    const double estimate = options.cells ? 0.0 : estimate_peak_bytes(measured[cell_name(cell)], cell.length);
    if (estimate > limit) {
      rows.push_back({{"task", cell.task}, {"model", cell.model}, {"length", cell.length}, {"batch", cell.batch},
                      {"status", "skipped: est. " + format_gb(estimate) + " GB > limit " + format_gb(limit) + " GB"}});
      if (!options.quiet) std::cerr << cell_line(cell, rows.back(), -1) << "\n";
      continue;
    }
    const auto start = Clock::now();
    Json row = run_cell_process(options, self_exe, cell);
    if (row["status"] == "ok") measured[cell_name(cell)].emplace_back(cell.length, row["peak_tensor_bytes"].get<double>());
    if (!options.quiet)
      std::cerr << cell_line(cell, row, std::chrono::duration<double>(Clock::now() - start).count()) << "\n";
    rows.push_back(row);
  }
  const double gemm_after = measure_gemm_flops(options.device, options.precision);
  const double gemm = std::max(gemm_before, gemm_after);
  for (auto& row : rows)
    if (row.contains("achieved_flops_per_second") && gemm > 0)
      row["flop_utilisation"] = row["achieved_flops_per_second"].get<double>() / gemm;
  add_ratios(rows, kReferenceModel);
  std::vector<std::string> tasks;
  for (const auto& cell : cells)
    if (std::find(tasks.begin(), tasks.end(), cell.task) == tasks.end()) tasks.push_back(cell.task);
  std::string task_list;
  for (const auto& task : tasks) task_list += (task_list.empty() ? "" : ",") + task;
  // schema_version 1 still: every field of before is there, with the same meaning in the default mode.
  Json doc = {{"schema_version", 1},
              {"kind", "lra-bench"},
              {"mode", options.cells ? "cells" : "lengths"},
              {"protocol", options.cells
                               ? "a profile's cells: per (task, model), full training steps (forward, loss, backward, "
                                 "AdamW) at the resolved task.max_len and train.batch_size on random tokens, warm-up "
                                 "then timed steps; median step time; exact peak tensor bytes; then no-grad eval "
                                 "forward passes at train.eval_batch_size"
                               : "LRA Table 2: full training steps (forward, loss, backward, AdamW) on random tokens of "
                                 "exactly n, warm-up then timed steps; median step time; exact peak tensor bytes; "
                                 "then no-grad eval forward passes at the same batch"},
              {"task", task_list},
              {"tasks", tasks},
              {"profile", options.profile},
              {"overrides", options.overrides},
              {"timed_steps", options.steps},
              {"warmup_steps", options.warmup},
              {"memory_limit_bytes", limit},
              {"reference_gemm", {{"dtype", options.precision},
                                  {"n", 2048},
                                  {"flops_per_second_before", gemm_before},
                                  {"flops_per_second_after", gemm_after},
                                  {"flops_per_second", gemm}}},
              {"device", options.device},
              {"precision", options.precision},
              {"environment", environment_block(options.device)},
              {"rows", rows}};
  if (!options.cells) doc["batch"] = options.batch;  // --cells: each row has its own
  write_json_atomically(options.out_dir + "/bench.json", doc);
  write_text_atomically(options.out_dir + "/bench.csv", bench_csv(rows));
  return doc;
}

}  // namespace lra
