#include "lra/config/cell_config.h"

#include "models/registry.h"

namespace lra {

Json resolve_cell_config(const ConfigRequest& request) {
  const ModelEntry* entry = find_model_or_null(request.model);
  return resolve_config(request, entry ? entry->config : Json());
}

Json resolve_run_config(ConfigRequest request, int64_t seed, const std::string& precision) {
  if (seed >= 0) request.overrides.push_back("train.seed=" + std::to_string(seed));
  if (!precision.empty()) request.overrides.push_back("runtime.precision=" + precision);
  return resolve_cell_config(request);
}

}  // namespace lra
