// lra checkpoint show | diff: what a checkpoint holds, and whether two checkpoints hold the same
// tensors bit for bit (the kill-and-resume torture test compares runs with it).
#include <iostream>
#include <sstream>
#include <type_traits>

#include <torch/torch.h>

#include "lra/train/checkpoint.h"
#include "lra/cli/commands.h"
#include "core/errors.h"
#include "models/registry.h"

namespace lra::cli {

namespace {

int show(const std::string& path) {
  const Checkpoint checkpoint = read_checkpoint(path);
  int64_t values = 0;
  for (const auto& entry : checkpoint.model) values += entry.value().numel();
  std::cout << path << ": lra checkpoint v" << kCheckpointVersion << ", task "
            << checkpoint.config.value("task", Json::object()).value("name", "?") << ", model "
            << checkpoint.config.value("model", Json::object()).value("name", "?") << "\n  model: "
            << checkpoint.model.size() << " tensors, " << values << " values\n  optimizer state: "
            << (checkpoint.optimizer ? "yes" : "no") << ", rng state: " << (checkpoint.rng ? "yes" : "no")
            << "\n  meta: " << checkpoint.meta.dump() << "\n";
  return 0;
}

bool same_bytes(const std::optional<at::Tensor>& a, const std::optional<at::Tensor>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->sizes() == b->sizes() && torch::equal(*a, *b));
}

// The optimizer's key for a parameter's state: its TensorImpl's address, printed (libtorch 1.13) or as is (2.x).
template <class Key>
Key optimizer_state_key(void* tensor_impl) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream printed;
    printed << tensor_impl;
    return printed.str();
  } else {
    return tensor_impl;
  }
}

// AdamW state per parameter, in parameter order. libtorch keys the serialised state by the address of
// each parameter, so two identical states written by different processes differ as bytes: they are
// loaded into a model built from the checkpoint's config and compared tensor by tensor.
std::vector<at::Tensor> adamw_state(const Checkpoint& checkpoint) {
  auto model = build_model(checkpoint.config);
  torch::optim::AdamW optimizer(model->parameters());
  restore_optimizer(optimizer, *checkpoint.optimizer);
  using Key = std::decay_t<decltype(optimizer.state())>::key_type;
  std::vector<at::Tensor> state;
  for (const auto& p : model->parameters()) {
    const auto it = optimizer.state().find(optimizer_state_key<Key>(p.unsafeGetTensorImpl()));
    if (it == optimizer.state().end()) {
      state.insert(state.end(), {at::Tensor(), at::Tensor()});
      continue;
    }
    const auto& adam = static_cast<const torch::optim::AdamWParamState&>(*it->second);
    state.insert(state.end(), {adam.exp_avg(), adam.exp_avg_sq(), torch::tensor(adam.step())});
  }
  return state;
}

bool same_optimizer_state(const Checkpoint& a, const Checkpoint& b) {
  if (a.optimizer.has_value() != b.optimizer.has_value()) return false;
  if (!a.optimizer || same_bytes(a.optimizer, b.optimizer)) return true;
  const auto x = adamw_state(a), y = adamw_state(b);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].defined() != y[i].defined() || (x[i].defined() && !torch::equal(x[i], y[i]))) return false;
  return true;
}

// 0: identical, 1: different (like cmp); each difference is printed on its own line.
int diff(const std::string& path_a, const std::string& path_b, bool with_state) {
  const Checkpoint a = read_checkpoint(path_a), b = read_checkpoint(path_b);
  int differences = 0;
  auto report = [&](const std::string& what) {
    if (++differences <= 20) std::cout << "differ: " << what << "\n";
  };
  // The resume state first: a few lines that the model tensors' list could push past the limit.
  if (with_state) {
    if (!same_optimizer_state(a, b)) report("optimizer state");
    if (!same_bytes(a.rng, b.rng)) report("rng state");
    for (const char* key : {"step", "micro_batches", "best_step", "best_val_accuracy", "curves"})
      if (a.meta.value(key, Json()) != b.meta.value(key, Json())) report(std::string("meta.") + key);
  }
  for (const auto& entry : a.model) {
    const std::string& name = entry.key();
    if (!b.model.contains(name)) {
      report(name + " only in " + path_a);
      continue;
    }
    const at::Tensor& x = entry.value();
    const at::Tensor& y = b.model.at(name);
    if (x.sizes() != y.sizes() || x.scalar_type() != y.scalar_type()) {
      report(name + " shape/dtype " + std::string(c10::toString(x.scalar_type())) + " vs " +
             std::string(c10::toString(y.scalar_type())));
    } else if (!torch::equal(x, y)) {
      const double max_diff = (x.to(torch::kFloat64) - y.to(torch::kFloat64)).abs().max().item<double>();
      report(name + " values (max abs diff " + std::to_string(max_diff) + ")");
    }
  }
  for (const auto& entry : b.model)
    if (!a.model.contains(entry.key())) report(entry.key() + " only in " + path_b);
  if (differences == 0) {
    std::cout << "identical: " << a.model.size() << " model tensors" << (with_state ? " and the resume state" : "")
              << "\n";
    return 0;
  }
  if (differences > 20) std::cout << "... " << differences - 20 << " more\n";
  return 1;
}

}  // namespace

void add_checkpoint_command(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  auto* checkpoint = app.add_subcommand("checkpoint", "inspect or compare checkpoints (best.ckpt, last.ckpt)");
  checkpoint->require_subcommand(1);

  auto* show_command = checkpoint->add_subcommand("show", "load a checkpoint and print what it holds");
  auto show_path = std::make_shared<std::string>();
  show_command->add_option("checkpoint", *show_path, "a .ckpt written by lra train")->required();
  show_command->callback([&action, show_path] { action = [show_path] { return show(*show_path); }; });

  auto* diff_command = checkpoint->add_subcommand(
      "diff", "compare the model tensors of two checkpoints bit for bit; exit 0 identical, 1 different");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto with_state = std::make_shared<bool>(false);
  diff_command->add_option("checkpoints", *paths, "two .ckpt files")->required()->expected(2);
  diff_command->add_flag("--with-state", *with_state,
                         "also compare optimiser and RNG state and the step counters and curves in meta");
  diff_command->callback([&action, paths, with_state] {
    action = [paths, with_state] { return diff((*paths)[0], (*paths)[1], *with_state); };
  });
}

}  // namespace lra::cli
