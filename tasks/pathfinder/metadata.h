#pragma once
// The metadata/<k>.npy files of the Pathfinder release: plain text despite the name, one row per
// image, space-separated: imgs/<k> sample_<n>.png <n> <label> followed by seven generator fields
// (continuity contour_len distractor_len paddle_len paddle_thickness paddle_margin n_contrasts).
// Readers need fields 0, 1 (the image path) and 3 (the label).
#include <string>
#include <vector>

namespace lra {

struct MetadataRow {
  std::string image;   // "imgs/<k>/sample_<n>.png", relative to the difficulty folder
  int label = 0;       // 1 = the markers are connected
  std::string where;   // "<metadata file>:<line>" for error messages
};

// metadata/*.npy under a difficulty folder, ordered by batch number (0.npy, 1.npy, ..., 10.npy).
// UserError when the folder is missing or holds no metadata file.
std::vector<std::string> list_metadata_files(const std::string& difficulty_dir);

// Parses one metadata file; UserError naming file:line and the expected form on a bad row.
std::vector<MetadataRow> read_metadata_file(const std::string& path);

// One row in the release format (no trailing newline).
std::string format_metadata_row(int batch, int index, int label, double continuity, int contour_length,
                                int distractor_length, int paddle_length, double paddle_thickness, int margin,
                                int n_contrasts);

}  // namespace lra
