// Runner building blocks: LR schedules, the data order, step statistics and the exact CPU
// peak-memory tracker.
#include "tests/catch_torch.h"

#include <set>

#include <torch/torch.h>

#include "tasks/data_order.h"
#include "core/errors.h"
#include "lra/train/lr_schedule.h"
#include "lra/runtime/memory_allocator.h"
#include "lra/runtime/memory_tracker.h"
#include "lra/runtime/step_stats.h"

using Catch::Matchers::Contains;

namespace {
lra::LrSchedule schedule(const std::string& kind) {
  lra::TrainSettings train;
  train.schedule = kind;
  train.lr = 1e-3;
  train.warmup_init_lr = 1e-7;
  train.min_lr = 1e-5;
  train.warmup_steps = 10;
  train.steps = 110;
  return lra::LrSchedule::from_settings(train);
}
}  // namespace

TEST_CASE("warm-up is linear from warmup_init_lr to lr for every schedule", "[runner][lr]") {
  for (const char* kind : {"inverse_sqrt", "linear", "cosine", "constant"}) {
    auto s = schedule(kind);
    CHECK(s.at(0) == Approx(1e-7));
    CHECK(s.at(5) == Approx(1e-7 + (1e-3 - 1e-7) * 0.5));
    CHECK(s.at(10) == Approx(1e-3));
  }
}

TEST_CASE("inverse_sqrt decays as lr * sqrt(warmup / step) like fairseq", "[runner][lr]") {
  auto s = schedule("inverse_sqrt");
  CHECK(s.at(40) == Approx(1e-3 * std::sqrt(10.0 / 40.0)));
  CHECK(s.at(1000) == Approx(1e-3 * std::sqrt(10.0 / 1000.0)));
}

TEST_CASE("linear and cosine reach min_lr at the last step", "[runner][lr]") {
  CHECK(schedule("linear").at(60) == Approx(1e-3 + (1e-5 - 1e-3) * 0.5));
  CHECK(schedule("linear").at(110) == Approx(1e-5));
  CHECK(schedule("cosine").at(60) == Approx(1e-5 + 0.5 * (1e-3 - 1e-5)));
  CHECK(schedule("cosine").at(110) == Approx(1e-5));
  CHECK(schedule("constant").at(100) == Approx(1e-3));
}

TEST_CASE("an unknown schedule names the known ones", "[runner][lr]") {
  CHECK_THROWS_WITH(schedule("step"), Contains("unknown schedule 'step'") && Contains("cosine"));
}

TEST_CASE("the data order covers each epoch once and repeats for the same seed", "[runner][data]") {
  lra::DataOrder a(103, 10, 7), b(103, 10, 7), c(103, 10, 8);
  CHECK(a.batches_per_epoch() == 10);
  std::set<int64_t> seen;
  for (int64_t i = 0; i < 10; ++i)
    for (int64_t e : a.micro_batch(i)) CHECK(seen.insert(e).second);
  CHECK(seen.size() == 100);
  CHECK(a.micro_batch(13) == b.micro_batch(13));
  CHECK(a.micro_batch(3) != c.micro_batch(3));
  CHECK(a.micro_batch(0) != a.micro_batch(10));  // a new permutation each epoch
}

TEST_CASE("ranks take disjoint slices of the same global batches", "[runner][data]") {
  lra::DataOrder single(64, 8, 3, 1, 0), rank0(64, 4, 3, 2, 0), rank1(64, 4, 3, 2, 1);
  for (int64_t i = 0; i < 12; ++i) {
    auto whole = single.micro_batch(i);
    auto r0 = rank0.micro_batch(i), r1 = rank1.micro_batch(i);
    r0.insert(r0.end(), r1.begin(), r1.end());
    CHECK(r0 == whole);
  }
}

TEST_CASE("a batch larger than the split is a clear error", "[runner][data]") {
  CHECK_THROWS_WITH(lra::DataOrder(5, 8, 1), Contains("larger than the training split"));
}

TEST_CASE("step statistics exclude warm-up steps from the median and p90", "[runner][timing]") {
  lra::StepStats stats;
  stats.add(100.0);  // warm-up outlier
  for (int i = 1; i <= 9; ++i) stats.add(static_cast<double>(i));
  auto s = stats.summary();
  CHECK(s["warmup_steps_excluded"] == 1);
  CHECK(s["measured_steps"] == 9);
  CHECK(s["step_time_median_s"].get<double>() == Approx(5.0));
  CHECK(s["step_time_p90_s"].get<double>() == Approx(8.2));
  CHECK(lra::StepStats::from_json(stats.to_json()).summary() == s);
}

TEST_CASE("the CPU tensor-memory tracker reports an exact peak for a known allocation pattern", "[runner][memory]") {
  lra::ScopedMemoryTracking tracking;
  auto& tracker = tracking.tracker();
  const int64_t base = tracker.current_bytes();
  {
    auto a = torch::empty({1000, 1000}, torch::kFloat32);  // 4,000,000 bytes
    auto b = torch::empty({500, 100}, torch::kFloat64);    //   400,000 bytes
    CHECK(tracker.current_bytes() - base == 4'400'000);
  }
  CHECK(tracker.current_bytes() == base);
  CHECK(tracker.peak_bytes() - base == 4'400'000);
  tracker.reset_peak();
  {
    auto c = torch::empty({256}, torch::kInt64);  // 2,048 bytes
  }
  CHECK(tracker.peak_bytes() - base == 2048);
}

TEST_CASE("the tracker sees autograd's backward allocations", "[runner][memory]") {
  lra::ScopedMemoryTracking tracking;
  auto x = torch::ones({256, 256}, torch::requires_grad());  // 262,144 bytes
  auto w = torch::ones({256, 256}, torch::requires_grad());
  tracking.tracker().reset_peak();
  const int64_t before = tracking.tracker().current_bytes();
  x.mm(w).sum().backward();
  // Both gradients (2 x 262,144 bytes) stay allocated after backward.
  CHECK(tracking.tracker().current_bytes() - before == 2 * 262'144);
  CHECK(tracking.tracker().peak_bytes() >= tracking.tracker().current_bytes());
}

TEST_CASE("peak RSS is reported and can be reset", "[runner][memory]") {
  CHECK(lra::peak_rss_bytes() > 0);
  CHECK(lra::current_rss_bytes() > 0);
  lra::reset_peak_rss();
  CHECK(lra::peak_rss_bytes() >= lra::current_rss_bytes() / 2);
}

TEST_CASE("freed memory stays resident under the retain policy until release_free_memory returns it",
          "[runner][memory]") {
  lra::configure_memory_allocator("retain");  // no re-exec here: glibc with mmap and trimming off
  if (lra::memory_allocator_description().rfind("glibc malloc, retain", 0) != 0) {
#if defined(__SANITIZE_ADDRESS__)
    return;  // ASan's allocator replaces glibc's (./run_tests.sh --sanitize): nothing to check
#else
    FAIL("expected glibc's retain policy, got " << lra::memory_allocator_description()
                                               << " (is libjemalloc preloaded into the test binary?)");
#endif
  }
  const int64_t start = lra::current_rss_bytes();
  {
    auto block = torch::ones({64 << 20});  // 256 MiB, touched
    REQUIRE(block.sum().item<float>() == float(64 << 20));
  }
  // Kept for reuse: the next step's activations would not be page-faulted again.
  CHECK(lra::current_rss_bytes() - start > int64_t{200} << 20);
  CHECK(lra::release_free_memory());
  CHECK(lra::current_rss_bytes() - start < int64_t{56} << 20);
}
