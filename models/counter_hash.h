#pragma once
// The counter-based hashes behind every seeded dropout mask (models/dropout.cpp and the fused
// GELU+dropout kernel), kept in one place so both draw the same mask for the same seed, and the bf16
// bit conversions of their bf16 loops. Torch-free: the kernels that use it have their own flags.
#include <cstdint>
#include <cstring>

namespace lra {

// splitmix64 finaliser: a strong 64-bit mix (turns a seed into a per-block key).
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// lowbias32 (C. Wellons' 32-bit integer hash): two multiplies and three xor-shifts, a bijection with
// low bias; unlike a 64-bit mix it vectorises (vpmulld), 16 lanes per AVX-512 instruction.
inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Element c of a 2^32-element block with key `key` is kept when mask_bits(c, key) < threshold.
inline uint32_t mask_bits(uint32_t c, uint32_t key) { return hash32(c * 0x9E3779B9U + key); }

// bfloat16 <-> float on raw bits, so the loops over bf16 tensors vectorise (c10::BFloat16's
// conversions are not inlined into vector code). float_to_bf16 rounds to nearest even and maps NaN
// to 0x7FC0, bit for bit as c10::BFloat16 does.
inline float bf16_to_float(uint16_t bits) {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline uint16_t float_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint32_t rounded = (u + 0x7FFFU + ((u >> 16) & 1U)) >> 16;
  return static_cast<uint16_t>((u & 0x7FFFFFFFU) > 0x7F800000U ? 0x7FC0U : rounded);
}

}  // namespace lra
