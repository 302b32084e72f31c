#pragma once
// The resolved config of a (task, model) cell, as every command resolves it: resolve_config, with the
// model's config layer taken from its registry entry when the model is defined in code
// (ModelEntry::config) and from configs/models/<name>.json otherwise.
#include "lra/config/config.h"

namespace lra {

Json resolve_cell_config(const ConfigRequest& request);

}  // namespace lra
