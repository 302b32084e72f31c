#include "lra/report/bench_compare.h"

#include <cstdio>
#include <sstream>

#include "lra/report/bench_rows.h"

namespace lra {
namespace {

std::string number(double value, const char* format) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

// The row of the same cell: task (when the rows record one: `lra bench --cells`), model and length.
const Json* find_row(const Json& bench, const Json& like) {
  if (!bench.is_object() || !bench.contains("rows")) return nullptr;
  for (const auto& row : bench["rows"])
    if (row["model"] == like["model"] && row["length"] == like["length"] &&
        row.value("task", "") == like.value("task", "") && row.value("variant", "") == like.value("variant", ""))
      return &row;
  return nullptr;
}

std::string percent(const Json& row, const char* key) {
  return row.contains(key) ? number(100.0 * row[key].get<double>(), "%.0f%%") : "";
}

// "a | b | a→b ratio" for a higher-is-better rate present in both rows; blanks otherwise.
std::string rate_pair(const Json& before, const Json& after, const char* key) {
  if (!before.contains(key) || !after.contains(key)) return "| |";
  const double a = before[key], b = after[key];
  return number(a, "%.0f") + " | " + number(b, "%.0f") + " | " + (a > 0 ? number(b / a, "%.2f") + "×" : "");
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
  out << "| cell | n | s/step before | s/step after | speed-up | FLOP util. before | FLOP util. after | "
         "eval ex/s before | eval ex/s after | eval speed-up | peak GB before | peak GB after | RSS/peak after |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : after["rows"]) {
    const Json* b = find_row(before, row);
    const std::string task = row.value("task", "");
    out << "| " << (task.empty() ? "" : task + " / ") << bench_row_label(row) << " | "
        << row["length"].get<int64_t>() << " | ";
    if (!ok(b) || !ok(&row)) {
      out << (ok(b) ? number((*b)["step_time_median_s"].get<double>(), "%.3f") : status_of(b)) << " | "
          << (ok(&row) ? number(row["step_time_median_s"].get<double>(), "%.3f") : status_of(&row))
          << " | | | | | | | | | |\n";
      continue;
    }
    const double t0 = (*b)["step_time_median_s"], t1 = row["step_time_median_s"];
    const double m0 = (*b)["peak_tensor_bytes"], m1 = row["peak_tensor_bytes"];
    const double rss = row.value("peak_rss_bytes", 0.0);
    out << number(t0, "%.3f") << " | " << number(t1, "%.3f") << " | " << number(t0 / t1, "%.2f") << "× | "
        << percent(*b, "flop_utilisation") << " | " << percent(row, "flop_utilisation") << " | "
        << rate_pair(*b, row, "eval_examples_per_second") << " | " << number(m0 / 1e9, "%.3f") << " | "
        << number(m1 / 1e9, "%.3f") << " | " << (m1 > 0 ? number(rss / m1, "%.2f") : "") << " |\n";
  }
  return out.str();
}

std::string op_profile_markdown(const Json& bench, size_t top) {
  std::ostringstream out;
  if (!bench.is_object() || !bench.contains("rows")) return "";
  for (const auto& row : bench["rows"]) {
    if (!row.contains("op_profile") || !row["op_profile"].is_object()) continue;
    const Json& profile = row["op_profile"];
    out << "**" << bench_row_label(row) << ", n = " << row["length"].get<int64_t>()
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
