#include "lra/runtime/op_profile.h"

#include <algorithm>
#include <map>

#include <torch/csrc/autograd/profiler_legacy.h>

namespace lra {

namespace profiler = torch::autograd::profiler;

std::vector<OpTime> aggregate_op_ranges(const std::vector<std::vector<OpRange>>& threads) {
  std::map<std::string, OpTime> by_name;
  for (const auto& ranges : threads) {
    struct Open {
      const OpRange* start;
      double children_us;
    };
    std::vector<Open> stack;
    for (const auto& range : ranges) {
      if (range.push) {
        stack.push_back({&range, 0.0});
        continue;
      }
      if (stack.empty()) continue;  // a pop whose push preceded the profiler
      const Open open = stack.back();
      stack.pop_back();
      const double total = range.time_us - open.start->time_us;
      auto& op = by_name[open.start->name];
      op.name = open.start->name;
      op.calls += 1;
      op.self_ms += (total - open.children_us) / 1000.0;
      if (!stack.empty()) stack.back().children_us += total;
    }
  }
  std::vector<OpTime> out;
  for (auto& [name, op] : by_name) out.push_back(op);
  std::sort(out.begin(), out.end(), [](const OpTime& a, const OpTime& b) { return a.self_ms > b.self_ms; });
  return out;
}

OpProfile::OpProfile() {
  profiler::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
}

OpProfile::~OpProfile() {
  if (running_) stop();
}

std::vector<OpTime> OpProfile::stop() {
  running_ = false;
  const auto lists = profiler::disableProfilerLegacy();
  std::vector<std::vector<OpRange>> threads;
  for (const auto& events : lists) {
    // Legacy events pair a pop with the latest push on the same thread; both carry a timestamp.
    const profiler::LegacyEvent* origin = nullptr;
    std::vector<OpRange> ranges;
    for (const auto& event : events) {
      if (!origin) origin = &event;
      const double t = origin->cpuElapsedUs(event);
      if (event.kind() == profiler::EventKind::PushRange) ranges.push_back({event.name(), true, t});
      if (event.kind() == profiler::EventKind::PopRange) ranges.push_back({"", false, t});
    }
    threads.push_back(std::move(ranges));
  }
  return aggregate_op_ranges(threads);
}

nlohmann::json op_profile_json(const std::vector<OpTime>& ops, size_t top) {
  double total = 0.0;
  for (const auto& op : ops) total += op.self_ms;
  nlohmann::json rows = nlohmann::json::array();
  OpTime rest{"(other ops)", 0, 0.0};
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i < top) {
      rows.push_back({{"name", ops[i].name},
                      {"calls", ops[i].calls},
                      {"self_ms", ops[i].self_ms},
                      {"share", total > 0 ? ops[i].self_ms / total : 0.0}});
    } else {
      rest.calls += ops[i].calls;
      rest.self_ms += ops[i].self_ms;
    }
  }
  if (rest.calls > 0)
    rows.push_back({{"name", rest.name}, {"calls", rest.calls}, {"self_ms", rest.self_ms},
                    {"share", total > 0 ? rest.self_ms / total : 0.0}});
  return {{"total_ms", total}, {"ops", rows}};
}

}  // namespace lra
