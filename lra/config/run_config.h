#pragma once
// The train, pretrain and runtime sections of a resolved config as typed structs, parsed once. The
// training loop, the bench and `lra eval` read these fields, never the JSON. resolve_config has already
// checked every key's type and range; a config read back from a checkpoint of another version may lack
// a key, which is a UserError naming it.
#include <cstdint>
#include <optional>
#include <string>

#include "lra/config/config.h"

namespace lra {

struct TrainSettings {
  int64_t batch_size = 0, eval_batch_size = 0, steps = 0, grad_accum = 1;
  double lr = 0, warmup_init_lr = 0, min_lr = 0, weight_decay = 0;
  std::string schedule;
  int64_t warmup_steps = 0;
  double adam_beta1 = 0, adam_beta2 = 0, adam_eps = 0, clip_norm = 0;
  int64_t eval_every = 1, eval_limit = 0, log_every = 1, seed = 0;
  bool trim_batches = true;
  std::string init_from;  // the pretraining checkpoint a fine-tuning run starts from ("" = scratch)
};

// Present in the configs of lra pretrain (without finetune_steps) and of fine-tuning runs; a scratch
// run's resolved config has no pretrain section.
struct PretrainSettings {
  int64_t steps = 0, finetune_steps = 0;
  double mask_rate = 0, lr = 0;
};

// Process-wide switches that shape CPU speed and memory for every model alike (lra/runtime/runtime.h).
struct RuntimeSettings {
  std::string allocator, dropout, precision;
  bool fused_projections = true, fused_attention = true, recompute_ffn = false;
};

struct RunConfig {
  std::string task, model, profile;
  std::string objective;  // "classification" (lra train) | "masked_tokens" (lra pretrain)
  TrainSettings train;
  std::optional<PretrainSettings> pretrain;
  RuntimeSettings runtime;
  double dropout = 0, attention_dropout = 0;  // model.*: whether a run draws dropout masks at all
};

RunConfig parse_run_config(const Json& resolved);
RuntimeSettings parse_runtime_settings(const Json& resolved);

}  // namespace lra
