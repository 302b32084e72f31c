#pragma once
// Where a training step's time goes: libtorch's (legacy, CPU) operator profiler around a scope,
// aggregated per operator name into self time (time inside the op minus the ops it called) and
// calls. Used by `lra bench --op-profile` on one extra step after the timed ones, so the profiler's
// overhead never reaches the reported step times.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lra {

struct OpTime {
  std::string name;
  int64_t calls = 0;
  double self_ms = 0.0;  // summed over calls, children excluded
};

// Per-thread push/pop ranges -> per-name self time, largest first.
struct OpRange {
  std::string name;
  bool push;        // true: the op starts; false: the innermost open op ends
  double time_us;   // timestamp
};
std::vector<OpTime> aggregate_op_ranges(const std::vector<std::vector<OpRange>>& threads);

class OpProfile {
 public:
  OpProfile();   // starts recording on this thread (and threads it launches)
  ~OpProfile();  // stops if stop() was not called
  std::vector<OpTime> stop();
  OpProfile(const OpProfile&) = delete;
  OpProfile& operator=(const OpProfile&) = delete;

 private:
  bool running_ = true;
};

// {"total_ms", "ops": [{"name", "calls", "self_ms", "share"}]} of the `top` largest, the rest summed.
nlohmann::json op_profile_json(const std::vector<OpTime>& ops, size_t top = 25);

}  // namespace lra
