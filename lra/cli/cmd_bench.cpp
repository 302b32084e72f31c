// lra bench: step time, tokens/s, exact peak memory and FLOP utilisation per (model, length).
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "core/atomic_file.h"
#include "lra/bench.h"
#include "lra/cli/commands.h"
#include "lra/environment.h"
#include "core/errors.h"

namespace lra::cli {

namespace {

template <typename T>
std::vector<T> split_list(const std::string& text, const char* what) {
  std::vector<T> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    if constexpr (std::is_same_v<T, std::string>) {
      items.push_back(item);
    } else {
      size_t used = 0;
      long long value = 0;
      try {
        value = std::stoll(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != item.size() || value <= 1)
        throw UserError(std::string(what) + ": '" + item + "' is not a length > 1");
      items.push_back(value);
    }
  }
  if (items.empty()) throw UserError(std::string(what) + " is empty");
  return items;
}


}  // namespace

void add_bench_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* bench = app.add_subcommand("bench", "time full training steps per model and sequence length (LRA Table 2)");
  auto options = std::make_shared<BenchOptions>();
  auto models = std::make_shared<std::string>("luna-16,luna-128,luna-256,transformer,linformer");
  auto lengths = std::make_shared<std::string>("1024,2048,3072,4096");
  auto cell = std::make_shared<std::string>();
  auto cell_result = std::make_shared<std::string>();
  bench->add_option("--task", options->task, "task whose model config is used")->capture_default_str();
  bench->add_option("--profile", options->profile, "profile (paper = the LRA Text config)")->capture_default_str();
  bench->add_option("--models", *models, "comma-separated model names")->capture_default_str();
  bench->add_option("--lengths", *lengths, "comma-separated sequence lengths")->capture_default_str();
  bench->add_option("--batch", options->batch, "batch size")->capture_default_str();
  bench->add_option("--steps", options->steps, "timed steps per cell")->capture_default_str();
  bench->add_option("--warmup", options->warmup, "untimed warm-up steps per cell")->capture_default_str();
  bench->add_option("--memory-limit", options->memory_limit_gb,
                    "skip cells whose estimated peak exceeds this many GB (default 85% of RAM)");
  bench->add_option("--out", options->out_dir, "output folder for bench.json and bench.csv")->capture_default_str();
  bench->add_option("--set", options->overrides, "override a config key, e.g. --set model.dropout=0 (repeatable)");
  bench->add_flag("--quiet", options->quiet, "no per-cell lines");
  bench->add_flag("--op-profile", options->op_profile,
                  "also profile one extra step per cell: self time per operator (row field op_profile)");
  bench->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  bench->add_option("--precision", options->precision, "fp32, bf16 (CPU or CUDA autocast) or fp16 (CUDA)")
      ->capture_default_str();
  bench->add_option("--cell", *cell, "internal: run one MODEL:LENGTH cell in this process")->group("");
  bench->add_option("--cell-result", *cell_result, "internal: where --cell writes its row")->group("");
  bench->callback([&global, &action, options, models, lengths, cell, cell_result] {
    action = [&global, options, models, lengths, cell, cell_result] {
      options->config_dir = global.config_dir;
      if (options->batch < 1 || options->steps < 1 || options->warmup < 0)
        throw UserError("--batch and --steps must be >= 1 and --warmup >= 0");
      if (!cell->empty()) {
        auto colon = cell->rfind(':');
        Json row = bench_cell(*options, cell->substr(0, colon), std::stoll(cell->substr(colon + 1)));
        write_json_atomically(*cell_result, row);
        return 0;
      }
      options->models = split_list<std::string>(*models, "--models");
      options->lengths = split_list<int64_t>(*lengths, "--lengths");
      Json doc = run_bench(*options, self_executable());
      std::cout << "bench: " << options->out_dir << "/bench.json, " << options->out_dir << "/bench.csv\n";
      return 0;
    };
  });
}

}  // namespace lra::cli
