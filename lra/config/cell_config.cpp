#include "lra/config/cell_config.h"

#include "models/registry.h"

namespace lra {

Json resolve_cell_config(const ConfigRequest& request) {
  const ModelEntry* entry = find_model_or_null(request.model);
  return resolve_config(request, entry ? entry->config : Json());
}

}  // namespace lra
