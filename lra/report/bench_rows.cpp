#include "lra/report/bench_rows.h"

#include <sstream>

#include "core/errors.h"

namespace lra {

void add_ratios(Json& rows, const std::string& reference) {
  for (auto& row : rows) {
    if (row["status"] != "ok") continue;
    for (const auto& base : rows) {
      if (base["model"] != reference || base["length"] != row["length"] || base["status"] != "ok" ||
          base.value("task", "") != row.value("task", ""))
        continue;
      const std::string variant = base.value("variant", "");
      const std::string against = reference + (variant.empty() ? "" : "_" + variant);
      row["speedup_vs_" + against] = base["step_time_median_s"].get<double>() / row["step_time_median_s"].get<double>();
      row["memory_fraction_vs_" + against] =
          row["peak_tensor_bytes"].get<double>() / base["peak_tensor_bytes"].get<double>();
    }
  }
}

std::string bench_row_label(const Json& row) {
  const std::string variant = row.value("variant", "");
  return row.value("model", "?") + (variant.empty() ? "" : " (" + variant + ")");
}

namespace {

enum class Kind { kText, kInteger, kNumber, kObject, kArray };

bool has_kind(const Json& v, Kind kind) {
  switch (kind) {
    case Kind::kText: return v.is_string();
    case Kind::kInteger: return v.is_number_integer();
    case Kind::kNumber: return v.is_number();
    case Kind::kObject: return v.is_object();
    case Kind::kArray: return v.is_array();
  }
  return false;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kText: return "text";
    case Kind::kInteger: return "an integer";
    case Kind::kNumber: return "a number";
    case Kind::kObject: return "an object";
    case Kind::kArray: return "an array";
  }
  return "?";
}

// `where`: "" for the document, "row 3" for a row. Required fields must be present.
void expect(const Json& object, const char* key, Kind kind, bool required, const std::string& path,
            const std::string& where) {
  if (!object.contains(key)) {
    if (required) throw UserError(path + ": " + where + (where.empty() ? "" : ": ") + "no '" + key + "'; hint: not a bench.json of lra bench");
    return;
  }
  if (!has_kind(object[key], kind))
    throw UserError(path + ": " + where + (where.empty() ? "" : ": ") + "'" + printable(key, 60) + "' is " + object[key].type_name() +
                    ", not " + kind_name(kind) + "; hint: not a bench.json of lra bench (or an edited one)");
}

}  // namespace

void validate_bench(const Json& bench, const std::string& path) {
  if (!bench.is_object()) throw UserError(path + ": a JSON " + std::string(bench.type_name()) + ", not a bench result");
  expect(bench, "rows", Kind::kArray, true, path, "");
  for (const char* key : {"mode", "task", "profile", "precision", "device"}) expect(bench, key, Kind::kText, false, path, "");
  for (const char* key : {"batch", "timed_steps", "warmup_steps"}) expect(bench, key, Kind::kInteger, false, path, "");
  expect(bench, "environment", Kind::kObject, false, path, "");
  if (bench.contains("environment")) {
    for (const char* key : {"cpu", "git_commit"}) expect(bench["environment"], key, Kind::kText, false, path, "environment");
    expect(bench["environment"], "threads", Kind::kInteger, false, path, "environment");
  }
  size_t index = 0;
  for (const auto& row : bench["rows"]) {
    const std::string where = "row " + std::to_string(index++);
    if (!row.is_object()) throw UserError(path + ": " + where + " is not an object; hint: not a bench.json of lra bench");
    expect(row, "model", Kind::kText, true, path, where);
    expect(row, "length", Kind::kInteger, true, path, where);
    expect(row, "status", Kind::kText, true, path, where);
    for (const char* key : {"task", "variant", "attention_kernel"}) expect(row, key, Kind::kText, false, path, where);
    expect(row, "batch", Kind::kInteger, false, path, where);
    const bool ok = row["status"] == "ok";
    for (const char* key : {"step_time_median_s", "steps_per_second", "peak_tensor_bytes"})
      expect(row, key, Kind::kNumber, ok, path, where);
    for (auto it = row.begin(); it != row.end(); ++it)  // every ratio and rate that tables divide or print
      if (it.key().rfind("speedup_vs_", 0) == 0 || it.key().rfind("memory_fraction_vs_", 0) == 0 ||
          it.key() == "peak_rss_bytes" || it.key() == "flop_utilisation" || it.key() == "eval_examples_per_second")
        expect(row, it.key().c_str(), Kind::kNumber, false, path, where);
    if (row.contains("op_profile") && row["op_profile"].is_object()) {
      const Json& profile = row["op_profile"];
      const std::string at = where + ": op_profile";
      expect(profile, "total_ms", Kind::kNumber, true, path, at);
      expect(profile, "ops", Kind::kArray, true, path, at);
      for (const auto& op : profile["ops"]) {
        if (!op.is_object()) throw UserError(path + ": " + at + ": an op is not an object");
        expect(op, "name", Kind::kText, true, path, at);
        expect(op, "calls", Kind::kInteger, true, path, at);
        expect(op, "self_ms", Kind::kNumber, true, path, at);
        expect(op, "share", Kind::kNumber, true, path, at);
      }
    }
  }
}

std::string bench_csv(const Json& rows) {
  const std::vector<std::string> columns{"model", "length", "batch", "status", "parameters", "step_time_median_s",
                                         "step_time_p10_s", "step_time_p90_s", "steps_per_second",
                                         "tokens_per_second", "peak_tensor_bytes", "peak_rss_bytes",
                                         "train_step_flops", "flop_utilisation", "speedup_vs_transformer",
                                         "memory_fraction_vs_transformer",
                                         // added with --cells and eval timing; appended so positions stay
                                         "task", "documents_per_example", "eval_batch", "eval_batch_time_median_s",
                                         "eval_examples_per_second",
                                         // the kernel of each row and the materialised reference row
                                         "variant", "attention_kernel", "speedup_vs_transformer_materialised",
                                         "memory_fraction_vs_transformer_materialised"};
  std::ostringstream out;
  for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
  out << "\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      out << (i ? "," : "");
      if (!row.contains(columns[i])) continue;
      const auto& v = row[columns[i]];
      if (v.is_string()) {
        std::string s = v.get<std::string>();
        out << (s.find(',') != std::string::npos ? "\"" + s + "\"" : s);
      } else {
        out << v.dump();
      }
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace lra
