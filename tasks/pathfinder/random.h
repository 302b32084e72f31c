#pragma once
// Portable random numbers: std::mt19937_64's output sequence is fixed by the standard, but the
// std distributions and std::shuffle are not, so the draws are made here and datasets generated
// or split with the same seed are identical across standard libraries.
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace lra {

// SplitMix64 finaliser: turns (seed, index) pairs into well-spread independent seeds.
inline uint64_t mix_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }

  // Uniform integer in [0, n), n >= 1, without modulo bias.
  uint64_t below(uint64_t n) {
    const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
    uint64_t draw;
    do draw = engine_();
    while (draw >= limit);
    return draw % n;
  }

  // Uniform integer in [low, high), low < high.
  int between(int low, int high) { return low + static_cast<int>(below(static_cast<uint64_t>(high - low))); }

  template <typename T>
  void shuffle(std::vector<T>& items) {  // Fisher-Yates
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace lra
