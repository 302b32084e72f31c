#pragma once
// LRA_KERNEL_CLONES: compile an elementwise kernel for AVX-512, AVX2 and baseline x86-64; the loader
// picks the best the CPU runs (GCC target_clones). The clones compute the same values: no FMA
// contraction or reassociation differs between them beyond what the file's flags already allow.
#if defined(__x86_64__) && !defined(__clang__)
#define LRA_KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LRA_KERNEL_CLONES
#endif
