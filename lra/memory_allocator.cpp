#include "lra/memory_allocator.h"

#include <malloc.h>

#include "lra/errors.h"

namespace lra {
namespace {
std::string& current_policy() {
  static std::string policy = "glibc";
  return policy;
}
}  // namespace

void configure_memory_allocator(const std::string& policy) {
  if (policy == "glibc") {
    // nothing: glibc's defaults
  } else if (policy == "retain") {
    mallopt(M_MMAP_MAX, 0);                 // large blocks come from the heap, not fresh mmaps
    mallopt(M_TRIM_THRESHOLD, 1 << 30);     // keep up to 1 GiB of free heap top instead of returning it
    mallopt(M_TOP_PAD, 64 << 20);           // grow the heap in 64 MiB steps
  } else {
    throw UserError("unknown memory allocator policy '" + policy + "' (known: glibc, retain)");
  }
  current_policy() = policy;
}

std::string memory_allocator_description() {
  if (current_policy() == "retain") return "glibc malloc, retain (M_MMAP_MAX=0, M_TRIM_THRESHOLD=1GiB)";
  return "glibc malloc (defaults)";
}

}  // namespace lra
