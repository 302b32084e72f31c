#pragma once
// Process-wide settings that shape CPU speed for every model alike (the config's runtime section):
// the memory allocator policy and the dropout implementation. Reports record both.
#include "lra/config/config.h"

namespace lra {

void apply_runtime_settings(const Json& config);

}  // namespace lra
