#pragma once
// 8-bit grayscale PNG in and out, on libpng. Pathfinder images are single-channel 8-bit RxR PNGs;
// anything else (colour, palette, 16-bit, 1/2/4-bit, alpha) is rejected rather than converted, so a
// wrong file is noticed instead of silently tokenised differently.
#include <cstdint>
#include <string>
#include <vector>

namespace lra {

struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // row-major, width * height

  GrayImage() = default;
  GrayImage(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h, 0) {}
  uint8_t& at(int y, int x) { return pixels[static_cast<size_t>(y) * width + x]; }
  uint8_t at(int y, int x) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// Decodes a PNG held in memory. `name` (usually the file path) starts every error message.
// Throws UserError when the bytes are not a PNG, are truncated, or are not 8-bit grayscale.
GrayImage decode_gray_png(const uint8_t* data, size_t size, const std::string& name);

// Reads and decodes a file; UserError naming the path when it cannot be read or decoded.
GrayImage read_gray_png(const std::string& path);

// Encodes to PNG bytes (8-bit grayscale, non-interlaced, zlib default level).
std::vector<uint8_t> encode_gray_png(const GrayImage& image);

// Writes a PNG file in place (not atomically: images are many and cheap to regenerate).
void write_gray_png(const std::string& path, const GrayImage& image);

// Reads a whole binary file; UserError naming the path when it cannot.
std::vector<uint8_t> read_binary_file(const std::string& path);

}  // namespace lra
