#pragma once
// The resolved config of a (task, model) cell, as every command resolves it: resolve_config, with the
// model's config layer taken from its registry entry when the model is defined in code
// (ModelEntry::config) and from configs/models/<name>.json otherwise.
#include "lra/config/config.h"

namespace lra {

Json resolve_cell_config(const ConfigRequest& request);

// One run's config as `lra train` / `lra pretrain` resolve it: the cell's, with the run's seed (< 0: the
// config's own) and precision ("": the config's own) as the last overrides. A sweep's manifest hashes this.
Json resolve_run_config(ConfigRequest request, int64_t seed, const std::string& precision);

}  // namespace lra
