#include "lra/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "lra/atomic_file.h"

namespace lra {
namespace fs = std::filesystem;

namespace {

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string signed_fixed(double value, int decimals) { return (value >= 0 ? "+" : "") + fixed(value, decimals); }

const Json* find_run(const std::vector<Json>& runs, const std::string& model, const std::string& task) {
  for (const auto& r : runs)
    if (r.value("model", "") == model && r.value("task", "") == task) return &r;
  return nullptr;
}

bool completed(const Json* run) { return run && run->value("status", "") == "completed" && run->contains("accuracy"); }

double final_test(const Json& run) { return 100.0 * run["accuracy"]["final"]["test"].get<double>(); }
double best_val_test(const Json& run) { return 100.0 * run["accuracy"]["best_val"]["test"].get<double>(); }

std::vector<std::string> models_in(const std::vector<Json>& runs) {
  std::vector<std::string> models;
  for (const auto& r : runs) {
    std::string m = r.value("model", "");
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  }
  std::sort(models.begin(), models.end());
  return models;
}

std::string task_title(const std::string& task) {
  static const std::map<std::string, std::string> titles{{"listops", "ListOps"}, {"text", "Text"},
                                                         {"retrieval", "Retrieval"}, {"image", "Image"},
                                                         {"pathfinder", "Pathfinder"}, {"pathx", "Path-X"}};
  auto it = titles.find(task);
  return it == titles.end() ? task : it->second;
}

}  // namespace

const std::vector<std::string>& lra_table_tasks() {
  static const std::vector<std::string> tasks{"listops", "text", "retrieval", "image", "pathfinder"};
  return tasks;
}

std::vector<Json> collect_run_reports(const std::string& dir) {
  std::vector<Json> runs;
  if (!fs::exists(dir)) return runs;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().filename() != "latest.json") continue;
    Json doc = Json::parse(read_text_file(entry.path().string()), nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.contains("run_id") && doc.contains("task") && doc.contains("model"))
      runs.push_back(std::move(doc));
  }
  std::sort(runs.begin(), runs.end(), [](const Json& a, const Json& b) {
    return std::make_pair(a["task"].get<std::string>(), a["model"].get<std::string>()) <
           std::make_pair(b["task"].get<std::string>(), b["model"].get<std::string>());
  });
  return runs;
}

std::string data_mark(const Json& run) {
  const Json& data = run.contains("data") ? run["data"] : Json::object();
  if (data.value("substitute", false)) return "S";
  if (data.value("source", "").find("generat") != std::string::npos) return "G";
  return "R";
}

std::string table1_markdown(const std::vector<Json>& runs, const Json& published) {
  std::vector<std::string> tasks = lra_table_tasks();
  for (const auto& r : runs)
    if (r.value("task", "") == "pathx" && std::find(tasks.begin(), tasks.end(), "pathx") == tasks.end())
      tasks.push_back("pathx");
  std::ostringstream out;
  out << "| model |";
  for (const auto& t : tasks) out << " " << task_title(t) << " |";
  out << " Avg (5 tasks) |\n|---|";
  for (size_t i = 0; i <= tasks.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& model : models_in(runs)) {
    out << "| " << model << " |";
    double sum = 0;
    int counted = 0;
    for (const auto& task : tasks) {
      const Json* run = find_run(runs, model, task);
      if (completed(run)) {
        out << " " << fixed(final_test(*run), 1) << " / " << fixed(best_val_test(*run), 1) << " " << data_mark(*run)
            << " |";
        if (task != "pathx") sum += final_test(*run), ++counted;
      } else {
        out << " " << (run ? "(" + run->value("status", "?") + ")" : "missing") << " |";
      }
    }
    out << " " << (counted ? fixed(sum / counted, 2) + (counted < 5 ? " (" + std::to_string(counted) + "/5)" : "")
                           : "missing")
        << " |\n";
  }
  // Chance: the majority class of the training split, scored on test.
  out << "| *majority class* |";
  for (const auto& task : tasks) {
    const Json* any = nullptr;
    for (const auto& r : runs)
      if (r.value("task", "") == task && r.contains("majority_baseline")) any = &r;
    out << " " << (any ? fixed(100.0 * (*any)["majority_baseline"]["test"].get<double>(), 1) : "missing") << " |";
  }
  out << " |\n\n";
  out << "Cells: test accuracy (%) of the final checkpoint / of the best-validation checkpoint; data: "
         "G = generated with the task's own generator, S = substitute data, R = the official release. "
         "The average uses the final checkpoints, as the LRA paper does.\n\n";

  // Published rows beside ours.
  if (published.contains("table1")) {
    out << "| published | source |";
    for (const auto& t : lra_table_tasks()) out << " " << task_title(t) << " |";
    out << " Avg |\n|---|---|";
    for (size_t i = 0; i <= lra_table_tasks().size(); ++i) out << "---|";
    out << "\n";
    for (auto it = published["table1"].begin(); it != published["table1"].end(); ++it) {
      const Json& row = it.value();
      const std::string ours_model = row.value("row_of", it.key());
      out << "| " << it.key() << " | " << row.value("source", "") << " |";
      for (const auto& t : lra_table_tasks()) {
        out << " " << fixed(row[t].get<double>(), 2);
        const Json* run = find_run(runs, ours_model, t);
        if (completed(run)) out << " (ours " << signed_fixed(final_test(*run) - row[t].get<double>(), 1) << ")";
        out << " |";
      }
      out << " " << fixed(row["avg"].get<double>(), 2) << " |\n";
    }
    out << "\n(ours ±x) = our final-checkpoint test accuracy minus the published number, same model and task. "
           "Luna-16 and Luna-128 LRA rows were not found in any readable source.\n";
  }
  return out.str();
}

std::string table2_markdown(const Json& bench, const Json& published) {
  std::ostringstream out;
  if (bench.is_null() || !bench.contains("rows")) return "No bench result (run `lra bench`).\n";
  std::vector<int64_t> lengths;
  std::vector<std::string> models;
  for (const auto& row : bench["rows"]) {
    int64_t n = row["length"];
    if (std::find(lengths.begin(), lengths.end(), n) == lengths.end()) lengths.push_back(n);
    std::string m = row["model"];
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  }
  std::sort(lengths.begin(), lengths.end());
  auto header = [&](const char* title) {
    out << "| " << title << " |";
    for (auto n : lengths) out << " " << (n % 1024 == 0 ? std::to_string(n / 1024) + "K" : std::to_string(n)) << " |";
    out << "\n|---|";
    for (size_t i = 0; i < lengths.size(); ++i) out << "---|";
    out << "\n";
  };
  auto cell = [&](const std::string& model, int64_t n) -> const Json* {
    for (const auto& row : bench["rows"])
      if (row["model"] == model && row["length"] == n) return &row;
    return nullptr;
  };
  header("steps/s (speed-up vs Transformer)");
  for (const auto& m : models) {
    out << "| " << m << " |";
    for (auto n : lengths) {
      const Json* row = cell(m, n);
      if (!row) out << " missing |";
      else if (row->value("status", "") != "ok") out << " " << (*row)["status"].get<std::string>() << " |";
      else {
        out << " " << fixed((*row)["steps_per_second"].get<double>(), 3);
        if (row->contains("speedup_vs_transformer"))
          out << " (" << fixed((*row)["speedup_vs_transformer"].get<double>(), 1) << "×)";
        out << " |";
      }
    }
    out << "\n";
  }
  out << "\n";
  header("peak tensor memory GB (fraction of Transformer)");
  for (const auto& m : models) {
    out << "| " << m << " |";
    for (auto n : lengths) {
      const Json* row = cell(m, n);
      if (!row) out << " missing |";
      else if (row->value("status", "") != "ok") out << " " << (*row)["status"].get<std::string>() << " |";
      else {
        out << " " << fixed((*row)["peak_tensor_bytes"].get<double>() / 1e9, 3);
        if (row->contains("memory_fraction_vs_transformer"))
          out << " (" << fixed((*row)["memory_fraction_vs_transformer"].get<double>(), 2) << "×)";
        out << " |";
      }
    }
    out << "\n";
  }
  out << "\nOur setup: " << bench.value("task", "text") << " config (profile " << bench.value("profile", "paper")
      << "), batch " << bench.value("batch", 0) << ", median of " << bench.value("timed_steps", 0)
      << " timed full training steps after " << bench.value("warmup_steps", 0) << " warm-up, "
      << (bench.contains("environment") ? bench["environment"].value("cpu", "?") + ", " +
                                              std::to_string(bench["environment"].value("threads", 0)) + " threads"
                                        : "")
      << ".\n\n";
  if (published.contains("table2")) {
    const Json& p = published["table2"];
    out << "Published (" << p.value("source", "") << "):\n\n| model |";
    for (auto n : p["lengths"]) out << " " << n.get<int64_t>() / 1024 << "K steps/s |";
    for (auto n : p["lengths"]) out << " " << n.get<int64_t>() / 1024 << "K GB |";
    out << "\n|---|";
    for (size_t i = 0; i < 2 * p["lengths"].size(); ++i) out << "---|";
    out << "\n";
    const double base4k = p["transformer"]["steps_per_second"].back().get<double>();
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (!it.value().is_object() || !it.value().contains("steps_per_second")) continue;
      out << "| " << it.key() << " |";
      const auto& speeds = it.value()["steps_per_second"];
      for (size_t i = 0; i < speeds.size(); ++i) {
        out << " " << fixed(speeds[i].get<double>(), 1);
        if (it.key() != "transformer")
          out << " (" << fixed(speeds[i].get<double>() / p["transformer"]["steps_per_second"][i].get<double>(), 1)
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
    (void)base4k;
  }
  return out.str();
}

std::string report_markdown(const std::vector<Json>& runs, const Json& bench, const Json& published) {
  std::ostringstream out;
  out << "# LRA report\n\n## Table 1: accuracy\n\n" << table1_markdown(runs, published);
  out << "\n## Table 2: speed and memory vs sequence length\n\n" << table2_markdown(bench, published);
  std::set<std::string> commits, profiles, sources;
  for (const auto& r : runs) {
    if (r.contains("environment")) commits.insert(r["environment"].value("git_commit", "?"));
    profiles.insert(r.value("profile", "?"));
    if (r.contains("data")) sources.insert(r.value("task", "") + ": " + r["data"].value("source", "?") +
                                           (r["data"].value("substitute", false) ? " (substitute)" : ""));
  }
  out << "\n## Provenance\n\n- runs: " << runs.size() << "; profiles:";
  for (const auto& p : profiles) out << " " << p;
  out << "\n- lra commits:";
  for (const auto& c : commits) out << " " << c;
  out << "\n- data:\n";
  for (const auto& s : sources) out << "  - " << s << "\n";
  return out.str();
}

Json load_published(const std::string& config_dir) { return load_json_file(config_dir + "/published.json"); }

}  // namespace lra
