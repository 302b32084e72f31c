#pragma once
// Which examples each micro-batch holds: every epoch is a fresh permutation drawn from (seed, epoch),
// cut into global batches of per_rank_batch * world_size (remainder dropped); rank r takes the r-th
// slice of each. The whole order is a pure function of the micro-batch counter, so a resumed run
// (or another rank) sees exactly the batches an uninterrupted run would.
#include <cstdint>
#include <vector>

namespace lra {

class DataOrder {
 public:
  DataOrder(int64_t examples, int64_t per_rank_batch, uint64_t seed, int world_size = 1, int rank = 0);

  // Example indices of micro-batch `index` (0-based, counted over the whole run) for this rank.
  std::vector<int64_t> micro_batch(int64_t index);

  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  int64_t per_rank_batch() const { return per_rank_batch_; }

 private:
  const std::vector<int64_t>& permutation(int64_t epoch);
  int64_t examples_, per_rank_batch_;
  uint64_t seed_;
  int world_size_, rank_;
  int64_t batches_per_epoch_;
  int64_t cached_epoch_ = -1;
  std::vector<int64_t> cached_permutation_;
};

// Fisher-Yates with a fixed generator, so orders are the same on every platform and libstdc++.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed);

}  // namespace lra
