#pragma once
// Process-wide CPU allocator policy. glibc mmaps every allocation >= 32 MiB fresh and unmaps it on
// free, so large activations are page-faulted and zeroed again on every training step
// (../shared/reference/platform.md, "Two traps"). The `retain` policy keeps freed memory in the
// heap for reuse. It applies to every model alike and every report records it.
#include <string>

namespace lra {

// "glibc" (glibc defaults) or "retain" (no mmap for large blocks, no trimming of the heap top).
// Throws UserError for an unknown name. Call before large allocations happen.
void configure_memory_allocator(const std::string& policy);

std::string memory_allocator_description();

}  // namespace lra
