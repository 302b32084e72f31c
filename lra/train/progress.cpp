#include "lra/train/progress.h"

#include <unistd.h>

#include <cstdio>

namespace lra {

Progress::Progress(int64_t total_steps, int64_t log_every, bool quiet)
    : total_(total_steps), log_every_(log_every > 0 ? log_every : 1), quiet_(quiet), live_(::isatty(2) != 0) {}

void Progress::update(int64_t step, double loss, double accuracy, double lr, double steps_per_second) {
  if (quiet_) return;
  if (!live_ && step % log_every_ != 0 && step != total_) return;
  const double eta = steps_per_second > 0 ? static_cast<double>(total_ - step) / steps_per_second : 0.0;
  std::fprintf(stderr, "%sstep %lld/%lld  loss %.4f  acc %.3f  lr %.2e  %.2f it/s  ETA %dm%02ds%s",
               live_ ? "\r\033[K" : "", static_cast<long long>(step), static_cast<long long>(total_), loss, accuracy,
               lr, steps_per_second, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60, live_ ? "" : "\n");
  std::fflush(stderr);
  line_open_ = live_;
}

void Progress::message(const std::string& line) {
  if (quiet_) return;
  std::fprintf(stderr, "%s%s\n", line_open_ ? "\r\033[K" : "", line.c_str());
  line_open_ = false;
}

Progress::~Progress() {
  if (line_open_) std::fprintf(stderr, "\n");
}

}  // namespace lra
