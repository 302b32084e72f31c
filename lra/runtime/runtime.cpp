#include "lra/runtime/runtime.h"

#include "lra/runtime/memory_allocator.h"
#include "models/attention/projections.h"
#include "models/blocks/feed_forward.h"
#include "models/dropout.h"
#include "models/fused_attention.h"

namespace lra {

void apply_runtime_settings(const RuntimeSettings& runtime) {
  configure_memory_allocator(runtime.allocator);
  set_dropout_implementation(runtime.dropout);
  set_fused_projections(runtime.fused_projections);
  set_fused_attention(runtime.fused_attention);
  set_recompute_ffn(runtime.recompute_ffn);
}

}  // namespace lra
