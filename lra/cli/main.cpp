// lra: the command-line entry point. Parses the global options, lets the chosen subcommand set the
// action, and turns errors into exit codes (2 for anything the user can fix, 1 for bugs).
#include <iostream>

#include <c10/util/Exception.h>

#include "lra/runtime/blas_kernels.h"
#include "lra/cli/commands.h"
#include "lra/runtime/environment.h"
#include "core/errors.h"
#include "lra/runtime/memory_allocator.h"

int main(int argc, char** argv) {
  lra::select_blas_kernels(argv);  // may re-execute this program once with OPENBLAS_CORETYPE set
  lra::allow_allocator_reexec(argv);  // runtime.allocator=jemalloc re-executes with LD_PRELOAD
  lra::set_command_line(argc, argv);
  CLI::App app{"lra: Long Range Arena harness (Luna, Transformer, Linformer, ...) on LibTorch"};
  app.require_subcommand(0, 1);
  lra::cli::GlobalOptions global;
  bool show_version = false;
  bool verbose = false;
  app.add_flag("--verbose", verbose, "on an internal or libtorch error, print its full message and backtrace");
  app.add_flag("--version", show_version, "print the lra version and commit, libtorch, CUDA, threads and BLAS");
  app.add_option("--threads", global.threads, "intra-op threads (default: the CPUs this process may use)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--config-dir", global.config_dir, "configs folder (default: $LRA_CONFIG_DIR or the source tree's)");

  lra::cli::Action action;
  lra::cli::add_config_command(app, global, action);
  lra::cli::add_models_command(app, global, action);
  lra::cli::add_data_command(app, global, action);
  lra::cli::add_train_command(app, global, action);
  lra::cli::add_pretrain_command(app, global, action);
  lra::cli::add_eval_command(app, global, action);
  lra::cli::add_bench_command(app, global, action);
  lra::cli::add_report_command(app, global, action);
  lra::cli::add_plot_command(app, global, action);
  lra::cli::add_launch_command(app, global, action);
  lra::cli::add_checkpoint_command(app, global, action);
  lra::cli::add_plan_command(app, global, action);
  lra::cli::add_sweep_command(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : lra::kExitUserError;
  }

  try {
    lra::configure_threads(global.threads);
    const std::string warning = lra::blas_warning(lra::detect_blas());
    if (!warning.empty()) std::cerr << warning;
    if (show_version) {
      std::cout << lra::version_text();
      return 0;
    }
    if (!action) {
      std::cout << app.help();
      return 0;
    }
    return action();
  } catch (const lra::UserError& e) {
    std::cerr << "lra: error: " << e.what() << "\n";
    return lra::kExitUserError;
  } catch (const c10::Error& e) {
    // libtorch's message carries a C++ backtrace: one line unless --verbose.
    if (verbose) std::cerr << "lra: libtorch error: " << e.what() << "\n";
    else
      std::cerr << "lra: error: libtorch failed: " << lra::printable(lra::first_line(e.what_without_backtrace()), 300)
                << " (in `lra " << (app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name())
                << "`); hint: check the config values this operation uses, or rerun with --verbose for the full "
                   "trace and report it as a bug\n";
    return 1;
  } catch (const std::exception& e) {
    if (verbose) std::cerr << "lra: internal error: " << e.what() << "\n";
    else
      std::cerr << "lra: internal error: " << lra::printable(lra::first_line(e.what()), 300)
                << "; hint: rerun with --verbose for the whole message and report it as a bug\n";
    return 1;
  }
}
