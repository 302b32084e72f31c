#pragma once
// Process-wide CPU allocator policy. glibc mmaps every allocation >= 32 MiB fresh and unmaps it on
// free, so large activations are page-faulted and zeroed again on every training step
// (measured with eager PyTorch 1.13 on the Text config: turning that off halved step times, but the
// Transformer's RSS then grew to 22.8 GiB; docs/speed-and-memory.md, "Allocator"). Policies (runtime.allocator), measured on the Text
// config, batch 4, 2 threads (transformer n=2048: s/step, peak RSS / peak tensor bytes):
//   "jemalloc" (default)  jemalloc as malloc, freed pages kept until a phase ends: 4.9 s, 1.12x
//   "retain"              glibc without mmap for large blocks and without trimming: 6.8 s, 2.18x
//   "glibc"               glibc's defaults:                                          10.1 s, 1.16x
// jemalloc must replace malloc before the program starts, so the `lra` executable re-executes itself
// once with LD_PRELOAD (allow_allocator_reexec); the policy applies to every model alike and every
// report records what is really active.
#include <string>

namespace lra {

// Lets configure_memory_allocator re-execute this program (argv as given to main) to load or unload
// jemalloc. Only the `lra` executable calls it; elsewhere (tests, library use) a policy that needs
// another malloc falls back to "retain" and says so in memory_allocator_description().
void allow_allocator_reexec(char** argv);

// "jemalloc", "retain" or "glibc". Throws UserError for an unknown name or a missing libjemalloc.
// Call before large allocations happen and before anything is written: it may re-execute the program.
void configure_memory_allocator(const std::string& policy);

// Returns freed-but-kept memory to the operating system (jemalloc: purge every arena; glibc:
// malloc_trim). Call at a phase boundary, e.g. between bench cells, never inside a training step.
// False when nothing could be released (a sanitizer's allocator, or jemalloc refused the purge).
bool release_free_memory();

// What is active, e.g. "jemalloc 5.3.0 (dirty_decay_ms:-1,...)".
std::string memory_allocator_description();

// True when this process's malloc is jemalloc.
bool jemalloc_active();

}  // namespace lra
