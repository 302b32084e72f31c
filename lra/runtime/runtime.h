#pragma once
// Process-wide settings that shape CPU speed for every model alike (the config's runtime section):
// the memory allocator policy and the dropout implementation. Reports record both.
#include "lra/config/run_config.h"

namespace lra {

// Every command that builds a model from a config applies that config's runtime section first:
// lra train and pretrain (run_training), lra eval (the checkpoint's config) and lra bench (each cell).
void apply_runtime_settings(const RuntimeSettings& runtime);

}  // namespace lra
