// lra bench: step time, tokens/s, exact peak memory and FLOP utilisation per (model, length), or per
// (task, model) cell of a profile at its own resolved shapes (--cells); plus eval forward-pass speed.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "core/atomic_file.h"
#include "lra/bench/bench.h"
#include "lra/cli/commands.h"
#include "lra/runtime/environment.h"
#include "core/errors.h"
#include "models/registry.h"

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
  auto models = std::make_shared<std::string>(default_table_models_list());
  auto lengths = std::make_shared<std::string>("1024,2048,3072,4096");
  auto cell = std::make_shared<std::string>();
  auto cell_result = std::make_shared<std::string>();
  auto* task = bench->add_option("--task", options->task, "task whose model config is used")->capture_default_str();
  bench->add_option("--profile", options->profile, "profile (paper = the LRA Text config)")->capture_default_str();
  bench->add_option("--models", *models, "comma-separated model names")->capture_default_str();
  auto* lengths_option = bench->add_option("--lengths", *lengths, "comma-separated sequence lengths")->capture_default_str();
  auto* batch = bench->add_option("--batch", options->batch, "batch size")->capture_default_str();
  bench->add_flag("--cells", options->cells,
                  "time the profile's real cells instead: every task of its \"tasks\" section x every model, each "
                  "at exactly the config `lra train` resolves (task.max_len, train.batch_size, eval_batch_size; "
                  "--set applies); not with --task, --lengths or --batch; default --out runs/bench/<profile>-cells");
  bench->add_option("--steps", options->steps, "timed steps per cell")->capture_default_str();
  bench->add_option("--warmup", options->warmup, "untimed warm-up steps per cell")->capture_default_str();
  bench->add_option("--memory-limit", options->memory_limit_gb,
                    "skip cells whose estimated peak exceeds this many GB (default 85% of RAM)");
  auto* out = bench->add_option("--out", options->out_dir, "output folder for bench.json and bench.csv")
                  ->capture_default_str();
  bench->add_option("--set", options->overrides, "override a config key, e.g. --set model.dropout=0 (repeatable)");
  bench->add_flag("--no-materialised", [options](int64_t) { options->materialised_reference = false; },
                  "on CPU, leave out the Transformer's second row with its attention probabilities stored for "
                  "backward (runtime.fused_attention=false, as the LRA paper measured it)");
  bench->add_flag("--quiet", options->quiet, "no per-cell lines");
  bench->add_flag("--op-profile", options->op_profile,
                  "also profile one extra step per cell: self time per operator (row field op_profile)");
  bench->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  bench->add_option("--precision", options->precision, "fp32, bf16 (CPU or CUDA autocast) or fp16 (CUDA)")
      ->capture_default_str();
  bench->add_option("--cell", *cell, "internal: run one TASK:MODEL:LENGTH (or MODEL:LENGTH) cell in this process")
      ->group("");
  bench->add_option("--cell-result", *cell_result, "internal: where --cell writes its row")->group("");
  bench->callback([&global, &action, options, models, lengths, cell, cell_result, task, lengths_option, batch, out] {
    const bool cells_with_shape = options->cells && (task->count() + lengths_option->count() + batch->count() > 0);
    const bool default_out = out->count() == 0;
    action = [&global, options, models, lengths, cell, cell_result, cells_with_shape, default_out] {
      options->config_dir = global.config_dir;
      if (cells_with_shape)
        throw UserError("--cells times every task of the profile at its own resolved task.max_len and "
                        "train.batch_size: it cannot be combined with --task, --lengths or --batch (use --set to "
                        "change a key for every cell)");
      if (options->batch < 1 || options->steps < 1 || options->warmup < 0)
        throw UserError("--batch and --steps must be >= 1 and --warmup >= 0");
      if (!cell->empty()) {  // TASK:MODEL:LENGTH, or MODEL:LENGTH of --task
        const auto last = cell->rfind(':');
        std::string model = cell->substr(0, last);
        if (const auto colon = model.find(':'); colon != std::string::npos) {
          options->task = model.substr(0, colon);
          model = model.substr(colon + 1);
        }
        Json row = bench_cell(*options, model, std::stoll(cell->substr(last + 1)));
        write_json_atomically(*cell_result, row);
        return 0;
      }
      // A user's --cells run must not overwrite the committed Table 2 reference in results/bench.
      if (options->cells && default_out) options->out_dir = "runs/bench/" + options->profile + "-cells";
      options->models = split_list<std::string>(*models, "--models");
      if (!options->cells) options->lengths = split_list<int64_t>(*lengths, "--lengths");
      Json doc = run_bench(*options, self_executable());
      std::cout << "bench: " << options->out_dir << "/bench.json, " << options->out_dir << "/bench.csv\n";
      return 0;
    };
  });
}

}  // namespace lra::cli
