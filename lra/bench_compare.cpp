#include "lra/bench_compare.h"

#include <cstdio>
#include <sstream>

namespace lra {
namespace {

std::string number(double value, const char* format) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

const Json* find_row(const Json& bench, const Json& model, const Json& length) {
  if (!bench.is_object() || !bench.contains("rows")) return nullptr;
  for (const auto& row : bench["rows"])
    if (row["model"] == model && row["length"] == length) return &row;
  return nullptr;
}

bool ok(const Json* row) { return row && row->value("status", "") == "ok"; }

std::string status_of(const Json* row) { return row ? row->value("status", "?") : "missing"; }

std::string settings(const Json& bench) {
  if (!bench.contains("rows")) return "?";
  for (const auto& row : bench["rows"])
    if (row.contains("runtime")) return row["runtime"].dump();
  return "(not recorded)";
}

}  // namespace

std::string bench_comparison_markdown(const Json& before, const Json& after) {
  std::ostringstream out;
  out << "Before: runtime " << settings(before) << "  \nAfter: runtime " << settings(after) << "\n\n";
  out << "| model | n | s/step before | s/step after | speed-up | peak GB before | peak GB after | "
         "RSS/peak after | FLOP util. after |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : after["rows"]) {
    const Json* b = find_row(before, row["model"], row["length"]);
    out << "| " << row["model"].get<std::string>() << " | " << row["length"].get<int64_t>() << " | ";
    if (!ok(b) || !ok(&row)) {
      out << (ok(b) ? number((*b)["step_time_median_s"].get<double>(), "%.3f") : status_of(b)) << " | "
          << (ok(&row) ? number(row["step_time_median_s"].get<double>(), "%.3f") : status_of(&row))
          << " | | | | | |\n";
      continue;
    }
    const double t0 = (*b)["step_time_median_s"], t1 = row["step_time_median_s"];
    const double m0 = (*b)["peak_tensor_bytes"], m1 = row["peak_tensor_bytes"];
    const double rss = row.value("peak_rss_bytes", 0.0);
    out << number(t0, "%.3f") << " | " << number(t1, "%.3f") << " | " << number(t0 / t1, "%.2f") << "× | "
        << number(m0 / 1e9, "%.3f") << " | " << number(m1 / 1e9, "%.3f") << " | "
        << (m1 > 0 ? number(rss / m1, "%.2f") : "") << " | "
        << (row.contains("flop_utilisation") ? number(100.0 * row["flop_utilisation"].get<double>(), "%.0f%%") : "")
        << " |\n";
  }
  return out.str();
}

std::string op_profile_markdown(const Json& bench, size_t top) {
  std::ostringstream out;
  if (!bench.is_object() || !bench.contains("rows")) return "";
  for (const auto& row : bench["rows"]) {
    if (!row.contains("op_profile") || !row["op_profile"].is_object()) continue;
    const Json& profile = row["op_profile"];
    out << "**" << row["model"].get<std::string>() << ", n = " << row["length"].get<int64_t>()
        << "** (one profiled step, " << number(profile["total_ms"].get<double>() / 1000.0, "%.2f")
        << " s of op self time)\n\n| op | calls | self s | share |\n|---|---|---|---|\n";
    size_t shown = 0;
    for (const auto& op : profile["ops"]) {
      if (shown++ == top) break;
      out << "| `" << op["name"].get<std::string>() << "` | " << op["calls"].get<int64_t>() << " | "
          << number(op["self_ms"].get<double>() / 1000.0, "%.3f") << " | "
          << number(100.0 * op["share"].get<double>(), "%.1f%%") << " |\n";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace lra
