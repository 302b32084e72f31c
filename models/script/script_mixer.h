#pragma once
// A sequence mixer from a TorchScript file: `--model script:<file.pt>` puts a researcher's PyTorch module
// in place of the attention sublayer of lra's Transformer block (pre-LN, GELU FFN, residual dropout,
// final LayerNorm), one copy per layer, each with its own parameters, and trains it with lra's runner.
// The module's contract (docs/bring-your-own-mixer.md, examples/mixers.py):
//   forward(x: Tensor[B, N, D] float32, key_mask: Tensor[B, N] bool, true at real tokens) -> Tensor[B, N, D]
//   @torch.jit.export reset_parameters(): initialises every parameter; lra calls it after seeding torch,
//   so a seed means the same thing as for the built-in models.
// A file that breaks the contract is refused with one UserError naming the file and the fix.
#include <cstdint>
#include <string>

#include <torch/script.h>

#include "models/blocks/transformer_block.h"
#include "models/registry.h"

namespace lra {

inline constexpr const char* kScriptModelPrefix = "script:";

// Loads the module file and checks the contract that does not depend on the width: the file exists,
// is TorchScript, has forward(x, key_mask) -> Tensor and reset_parameters(). UserError otherwise.
torch::jit::Module load_script_mixer(const std::string& path);

// Runs forward once on a (2,5,d_model) input with one padded position and checks the output's shape
// and dtype; UserError naming the file and d_model otherwise.
void check_script_mixer_output(torch::jit::Module& module, const std::string& path, int64_t d_model);

class ScriptMixerImpl : public SelfAttentionImpl {
 public:
  // Loads `path`, calls reset_parameters() and registers the module's parameters (dots in their names
  // become underscores: q_proj.weight -> q_proj_weight).
  ScriptMixerImpl(const std::string& path, int64_t d_model);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) override;  // (B,N,D)

  torch::jit::Module module;
};
TORCH_MODULE(ScriptMixer);

// The registry entry of `script:<path>` (loads and checks the file; records its SHA-256).
ModelEntry script_model(const std::string& path);

}  // namespace lra
