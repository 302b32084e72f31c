#include "tasks/data_order.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "core/errors.h"

namespace lra {

std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

DataOrder::DataOrder(int64_t examples, int64_t per_rank_batch, uint64_t seed, int world_size, int rank)
    : examples_(examples), per_rank_batch_(per_rank_batch), seed_(seed), world_size_(world_size), rank_(rank) {
  const int64_t global_batch = per_rank_batch * world_size;
  if (examples <= 0) throw UserError("the training split is empty");
  if (global_batch > examples)
    throw UserError("the global batch (" + std::to_string(global_batch) + ") is larger than the training split (" +
                    std::to_string(examples) + " examples); lower train.batch_size");
  batches_per_epoch_ = examples / global_batch;
}

const std::vector<int64_t>& DataOrder::permutation(int64_t epoch) {
  if (epoch != cached_epoch_) {
    cached_permutation_ = seeded_permutation(examples_, seed_ * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch));
    cached_epoch_ = epoch;
  }
  return cached_permutation_;
}

std::vector<int64_t> DataOrder::micro_batch(int64_t index) {
  const int64_t epoch = index / batches_per_epoch_;
  const int64_t in_epoch = index % batches_per_epoch_;
  const auto& order = permutation(epoch);
  const int64_t start = (in_epoch * world_size_ + rank_) * per_rank_batch_;
  return {order.begin() + start, order.begin() + start + per_rank_batch_};
}

}  // namespace lra
