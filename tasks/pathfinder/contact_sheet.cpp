// write_pathfinder_contact_sheet: a PNG of labelled samples, to check generated data by eye.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.h"
#include "tasks/pathfinder/metadata.h"
#include "tasks/pathfinder/pathfinder.h"
#include "tasks/pathfinder/png_io.h"

namespace lra {

namespace fs = std::filesystem;

namespace {

constexpr int kColumns = 4;
constexpr uint8_t kBackground = 96;  // mid-gray, so both the white and the black strips stand out

// 3x5 bitmaps of the digits drawn in the label strip.
constexpr const char* kDigitZero[5] = {"###", "#.#", "#.#", "#.#", "###"};
constexpr const char* kDigitOne[5] = {".#.", "##.", ".#.", ".#.", "###"};

void fill(GrayImage& sheet, int y0, int x0, int h, int w, uint8_t value) {
  for (int y = std::max(0, y0); y < std::min(sheet.height, y0 + h); ++y)
    for (int x = std::max(0, x0); x < std::min(sheet.width, x0 + w); ++x) sheet.at(y, x) = value;
}

void draw_digit(GrayImage& sheet, int y0, int x0, int cell, int label, uint8_t value) {
  const char* const* glyph = label == 1 ? kDigitOne : kDigitZero;
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 3; ++c)
      if (glyph[r][c] == '#') fill(sheet, y0 + r * cell, x0 + c * cell, cell, cell, value);
}

}  // namespace

void write_pathfinder_contact_sheet(const std::string& data_dir, const std::string& folder,
                                    const std::string& difficulty, const std::string& out_png, int count) {
  if (count < 1) throw UserError("contact sheet: count must be >= 1, got " + std::to_string(count));
  const fs::path root = fs::path(data_dir) / folder / difficulty;
  std::vector<GrayImage> chosen[2];  // [label]
  for (const std::string& file : list_metadata_files(root.string())) {
    for (const MetadataRow& row : read_metadata_file(file)) {
      auto& bucket = chosen[row.label];
      const std::string path = (root / row.image).string();
      struct stat info {};
      if (static_cast<int>(bucket.size()) >= count || ::stat(path.c_str(), &info) != 0 || info.st_size == 0) continue;
      bucket.push_back(read_gray_png(path));
    }
    if (static_cast<int>(chosen[0].size()) >= count && static_cast<int>(chosen[1].size()) >= count) break;
  }
  if (chosen[0].empty() && chosen[1].empty()) throw UserError(root.string() + ": no images to show");

  const int side = chosen[1].empty() ? chosen[0][0].width : chosen[1][0].width;
  const int scale = side <= 32 ? 4 : side <= 64 ? 3 : 2;
  const int tile = side * scale, strip = std::max(12, tile / 10), gap = 6;
  const int columns = std::min(kColumns, count);
  const int rows_per_label = (count + columns - 1) / columns;
  const int cell_h = tile + strip + gap;
  GrayImage sheet(gap + columns * (tile + gap), gap + 2 * rows_per_label * cell_h + gap);
  std::fill(sheet.pixels.begin(), sheet.pixels.end(), kBackground);

  for (int label : {1, 0}) {  // positives on top
    const int block_y = gap + (label == 1 ? 0 : rows_per_label * cell_h + gap);
    for (size_t i = 0; i < chosen[label].size(); ++i) {
      const GrayImage& image = chosen[label][i];
      if (image.width != side || image.height != side)
        throw UserError(root.string() + ": images of different sizes (" + std::to_string(image.width) + " vs " +
                        std::to_string(side) + ")");
      const int y0 = block_y + static_cast<int>(i) / columns * cell_h;
      const int x0 = gap + static_cast<int>(i) % columns * (tile + gap);
      for (int y = 0; y < tile; ++y)
        for (int x = 0; x < tile; ++x) sheet.at(y0 + y, x0 + x) = image.at(y / scale, x / scale);
      const uint8_t bar = label == 1 ? 255 : 0;
      fill(sheet, y0 + tile, x0, strip, tile, bar);
      const int cell = std::max(1, (strip - 4) / 5);
      draw_digit(sheet, y0 + tile + (strip - 5 * cell) / 2, x0 + 4, cell, label, label == 1 ? 0 : 255);
    }
  }
  if (fs::path(out_png).has_parent_path()) fs::create_directories(fs::path(out_png).parent_path());
  write_gray_png(out_png, sheet);
}

}  // namespace lra
