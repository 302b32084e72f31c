// Table 2 of `lra report`: speed and peak memory per length from a bench result, beside the LRA paper.
#include "lra/report/table2.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "lra/report/bench_rows.h"
#include "lra/report/seed_aggregate.h"

namespace lra {

namespace {

// What a bench row's attention_kernel means for its memory, for Table 2's kernel column.
std::string kernel_description(const Json& row) {
  const std::string kernel = row.value("attention_kernel", "");
  if (kernel.empty()) return "?";
  if (kernel == "fused") return "fused (probabilities recomputed in backward)";
  if (kernel == "materialised") return "materialised (probabilities stored for backward)";
  if (kernel == "recomputed") return "unfused, probabilities recomputed in backward";
  if (kernel == kNoAttentionKernel) return "no softmax attention (own mixing)";
  return kernel;
}

// Where the bench ran, for the setup line: the GPU on CUDA runs (with the host CPU), else the CPU.
std::string setup_machine(const Json& environment) {
  const std::string host = environment.value("cpu", "?") + ", " + std::to_string(environment.value("threads", 0)) +
                           " threads, lra commit " + environment.value("git_commit", "?");
  const std::string gpu = environment.value("gpu", "");
  if (environment.value("device", "cpu").rfind("cuda", 0) != 0) return host;
  return (gpu.empty() ? std::string("a CUDA GPU (name not recorded)") : gpu) + " (" +
         environment.value("device", "cuda") + "), host " + host;
}

}  // namespace

double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return std::nan("");
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += std::log(x[i]) / n, my += std::log(y[i]) / n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxx > 0 ? sxy / sxx : std::nan("");
}

std::string table2_markdown(const Json& bench, const Json& published) {
  std::ostringstream out;
  if (bench.is_null() || !bench.contains("rows")) return "No bench result (run `lra bench`).\n";
  std::vector<int64_t> lengths;
  std::vector<std::string> labels;
  std::map<std::string, std::string> kernels;  // label -> kernel description (of its first ok row)
  bool has_materialised = false;
  for (const auto& row : bench["rows"]) {
    int64_t n = row["length"];
    if (std::find(lengths.begin(), lengths.end(), n) == lengths.end()) lengths.push_back(n);
    const std::string label = bench_row_label(row);
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
    if (row.value("status", "") == "ok" && !kernels.count(label)) kernels[label] = kernel_description(row);
    has_materialised = has_materialised || row.contains(std::string("speedup_vs_") + kReferenceModel + "_materialised");
  }
  std::sort(lengths.begin(), lengths.end());
  auto header = [&](const std::string& title) {
    out << "| " << title << " | attention kernel |";
    for (auto n : lengths) out << " " << (n % 1024 == 0 ? std::to_string(n / 1024) + "K" : std::to_string(n)) << " |";
    out << "\n|---|---|";
    for (size_t i = 0; i < lengths.size(); ++i) out << "---|";
    out << "\n";
  };
  auto cell = [&](const std::string& label, int64_t n) -> const Json* {
    for (const auto& row : bench["rows"])
      if (bench_row_label(row) == label && row["length"] == n) return &row;
    return nullptr;
  };
  // One table: value per (row, length), with the ratio against the reference row named by `against`.
  auto table = [&](const std::string& title, const char* value, double scale, int decimals, const std::string& ratio,
                   int ratio_decimals) {
    header(title);
    for (const auto& label : labels) {
      out << "| " << label << " | " << (kernels.count(label) ? kernels[label] : "?") << " |";
      for (auto n : lengths) {
        const Json* row = cell(label, n);
        if (!row) out << " missing |";
        else if (row->value("status", "") != "ok") out << " " << (*row)["status"].get<std::string>() << " |";
        else {
          out << " " << fixed((*row)[value].get<double>() * scale, decimals);
          if (row->contains(ratio)) out << " (" << fixed((*row)[ratio].get<double>(), ratio_decimals) << "×)";
          out << " |";
        }
      }
      out << "\n";
    }
    out << "\n";
  };
  const std::string reference = kReferenceModel;
  table("steps/s (speed-up vs " + reference + ")", "steps_per_second", 1.0, 3, "speedup_vs_" + reference, 1);
  table("peak tensor memory GB (fraction of " + reference + ")", "peak_tensor_bytes", 1e-9, 3,
        "memory_fraction_vs_" + reference, 2);
  // How each row scales: the least-squares slope of log(step time) and log(peak memory) against
  // log(length) over its measured lengths (1 = linear, 2 = quadratic).
  out << "Growth with length: the exponent a of a least-squares fit value ∝ length^a over the lengths each row "
      << "measured (1 = linear, 2 = quadratic).\n\n| model | attention kernel | step time a | peak memory a | lengths |\n"
      << "|---|---|---|---|---|\n";
  for (const auto& label : labels) {
    std::vector<double> ns, times, memories;
    for (auto n : lengths) {
      const Json* row = cell(label, n);
      if (!row || row->value("status", "") != "ok") continue;
      const double time = row->value("step_time_median_s", 0.0), memory = row->value("peak_tensor_bytes", 0.0);
      if (!(time > 0) || !(memory > 0)) continue;
      ns.push_back(static_cast<double>(n)), times.push_back(time), memories.push_back(memory);
    }
    out << "| " << label << " | " << (kernels.count(label) ? kernels[label] : "?") << " | ";
    if (ns.size() < 2) {
      out << "– | – | " << ns.size() << " |\n";
      continue;
    }
    out << fixed(log_log_slope(ns, times), 2) << " | " << fixed(log_log_slope(ns, memories), 2) << " | "
        << static_cast<int64_t>(ns.front()) << "–" << static_cast<int64_t>(ns.back()) << " |\n";
  }
  out << "\n";
  if (has_materialised) {
    out << "Against the " << reference << " with its probabilities materialised (stored for backward), as the LRA "
        << "paper's Table 2 measured it:\n\n";
    table("steps/s (speed-up vs " + reference + " (materialised))", "steps_per_second", 1.0, 3,
          "speedup_vs_" + reference + "_materialised", 1);
    table("peak tensor memory GB (fraction of " + reference + " (materialised))", "peak_tensor_bytes", 1e-9, 3,
          "memory_fraction_vs_" + reference + "_materialised", 2);
  }
  const Json environment = bench.contains("environment") && bench["environment"].is_object() ? bench["environment"]
                                                                                             : Json::object();
  out << "Our setup: " << bench.value("task", "text") << " config (profile " << bench.value("profile", "paper")
      << "), batch " << bench.value("batch", 0) << ", median of " << bench.value("timed_steps", 0)
      << " timed full training steps after " << bench.value("warmup_steps", 0) << " warm-up, "
      << (environment.empty() ? std::string("environment not recorded") : setup_machine(environment))
      << ".\n\n";
  if (published.contains("table2")) {
    const Json& p = published["table2"];
    out << "Published (" << p.value("source", "") << "):\n\n| model |";
    for (auto n : p["lengths"]) out << " " << n.get<int64_t>() / 1024 << "K steps/s |";
    for (auto n : p["lengths"]) out << " " << n.get<int64_t>() / 1024 << "K GB |";
    out << "\n|---|";
    for (size_t i = 0; i < 2 * p["lengths"].size(); ++i) out << "---|";
    out << "\n";
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (!it.value().is_object() || !it.value().contains("steps_per_second")) continue;
      out << "| " << it.key() << " |";
      const auto& speeds = it.value()["steps_per_second"];
      for (size_t i = 0; i < speeds.size(); ++i) {
        out << " " << fixed(speeds[i].get<double>(), 1);
        if (it.key() != kReferenceModel && p.contains(kReferenceModel))
          out << " (" << fixed(speeds[i].get<double>() / p[kReferenceModel]["steps_per_second"][i].get<double>(), 1)
              << "×)";
        out << " |";
      }
      for (const auto& gb : it.value()["peak_memory_gb"]) out << " " << fixed(gb.get<double>(), 2) << " |";
      out << "\n";
    }
    if (p.contains("luna-256"))
      out << "| luna-256 | 4K: " << fixed(p["luna-256"]["speedup_at_4096"].get<double>(), 1) << "× speed, "
          << fixed(p["luna-256"]["memory_fraction_at_4096"].get<double>(), 2)
          << "× memory of the Transformer (Mega Table 2) |\n";
  }
  return out.str();
}

}  // namespace lra
