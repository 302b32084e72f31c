#pragma once
// Training progress: one live line on a terminal (rewritten in place), plain periodic lines
// otherwise, nothing with --quiet.
#include <cstdint>
#include <string>

namespace lra {

class Progress {
 public:
  Progress(int64_t total_steps, int64_t log_every, bool quiet);
  void update(int64_t step, double loss, double accuracy, double lr, double steps_per_second);
  void message(const std::string& line);  // a line that stays (validation results, status)
  ~Progress();

 private:
  int64_t total_, log_every_;
  bool quiet_, live_;
  bool line_open_ = false;
};

}  // namespace lra
