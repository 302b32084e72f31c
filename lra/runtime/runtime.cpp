#include "lra/runtime/runtime.h"

#include "lra/runtime/memory_allocator.h"
#include "models/attention/projections.h"
#include "models/blocks/feed_forward.h"
#include "models/dropout.h"
#include "models/fused_attention.h"

namespace lra {

void apply_runtime_settings(const Json& config) {
  const Json& runtime = config.at("runtime");
  configure_memory_allocator(runtime.at("allocator").get<std::string>());
  set_dropout_implementation(runtime.at("dropout").get<std::string>());
  set_fused_projections(runtime.at("fused_projections").get<bool>());
  set_fused_attention(runtime.at("fused_attention").get<bool>());
  set_recompute_ffn(runtime.at("recompute_ffn").get<bool>());
}

}  // namespace lra
