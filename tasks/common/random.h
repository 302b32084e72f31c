#pragma once
// Portable random draws for the generators. std::uniform_int_distribution and std::shuffle are
// implementation-defined (libstdc++ and libc++ differ), so the same seed would give different files
// on different toolchains; these helpers depend only on std::mt19937_64, whose output is fixed by the
// standard. Same seed => byte-identical generated data everywhere.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace lra::data {

using Rng = std::mt19937_64;

// Uniform integer in [0, n) for n >= 1 (rejection sampling, no modulo bias).
inline uint64_t uniform_below(Rng& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % n;
}

// Uniform integer in [lo, hi], inclusive.
inline int64_t uniform_int(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(hi - lo) + 1));
}

// Uniform double in [0, 1) with 53 random bits.
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Fisher-Yates shuffle.
template <typename T>
void shuffle_in_place(std::vector<T>& items, Rng& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform_below(rng, i)]);
}

}  // namespace lra::data
