#include "tasks/pathfinder/metadata.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "tasks/common/data_files.h"

namespace lra {

namespace fs = std::filesystem;

namespace {

// Sort key: numeric stems first, by value, then any other names alphabetically.
bool batch_order(const fs::path& a, const fs::path& b) {
  const std::string sa = a.stem().string(), sb = b.stem().string();
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const bool na = numeric(sa), nb = numeric(sb);
  if (na != nb) return na;
  if (na && std::stol(sa) != std::stol(sb)) return std::stol(sa) < std::stol(sb);
  return sa < sb;
}

// Python's str() of a float for the values used here: "1.0", "0.5", "1.8".
std::string python_float(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", v);
  std::string s = buffer;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

std::vector<std::string> list_metadata_files(const std::string& difficulty_dir) {
  const fs::path folder = fs::path(difficulty_dir) / "metadata";
  std::error_code error;
  if (!fs::is_directory(folder, error))
    throw UserError(folder.string() + ": metadata folder not found (expected metadata/<k>.npy files next to imgs/)");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".npy" && entry.path().filename().string()[0] != '.')
      files.push_back(entry.path());
  if (files.empty()) throw UserError(folder.string() + ": no metadata/<k>.npy files");
  std::sort(files.begin(), files.end(), batch_order);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.string());
  return names;
}

std::vector<MetadataRow> read_metadata_file(const std::string& path) {
  const std::string text = read_text_file(path);
  std::vector<MetadataRow> rows;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields_in(line);
    std::vector<std::string> fields;
    for (std::string f; fields_in >> f;) fields.push_back(f);
    if (fields.empty()) continue;  // blank line (e.g. the final newline)
    const std::string where = path + ":" + std::to_string(number);
    if (fields.size() < 4)
      throw UserError(where + ": expected at least 4 space-separated fields 'imgs/<k> sample_<n>.png <n> <label> ...', got " +
                      std::to_string(fields.size()));
    const std::string& label = fields[3];
    const bool integer = std::all_of(label.begin() + (label[0] == '-' ? 1 : 0), label.end(),
                                     [](char c) { return c >= '0' && c <= '9'; }) && label != "-";
    if (!integer)
      throw UserError(where + ": label (field 4) must be the integer 0 or 1, got '" + data::printable(label, 20) + "'");
    if (label != "0" && label != "1")
      throw UserError(where + ": label (field 4) " + data::printable(label, 20) + " is out of range (expected 0 or 1)");
    const std::string image = fields[0] + "/" + fields[1];
    if (image.find("..") != std::string::npos || fields[0][0] == '/' || fields[1][0] == '/')
      throw UserError(where + ": image path '" + data::printable(image, 200) + "' must stay inside the folder");
    if (std::any_of(image.begin(), image.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      throw UserError(where + ": image path '" + data::printable(image, 200) + "' contains a control byte");
    rows.push_back({image, label == "1" ? 1 : 0, where});
  }
  return rows;
}

std::string format_metadata_row(int batch, int index, int label, double continuity, int contour_length,
                                int distractor_length, int paddle_length, double paddle_thickness, int margin,
                                int n_contrasts) {
  std::ostringstream row;
  row << "imgs/" << batch << " sample_" << index << ".png " << index << " " << label << " " << python_float(continuity)
      << " " << contour_length << " " << distractor_length << " " << paddle_length << " "
      << python_float(paddle_thickness) << " " << margin << " " << n_contrasts;
  return row.str();
}

}  // namespace lra
