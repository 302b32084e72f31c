#include "tasks/pathfinder/png_io.h"

#include <fcntl.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/errors.h"

namespace lra {

namespace {

// libpng reports errors by calling our handler, which must not return: it longjmps back to the
// setjmp in decode_into/encode_into. The message is kept here so the C++ side can throw it.
struct PngContext {
  const uint8_t* data = nullptr;  // reading: the PNG bytes
  size_t size = 0;
  size_t position = 0;
  std::vector<uint8_t>* out = nullptr;  // writing: the growing PNG bytes
  char error[256] = {0};
};

void on_error(png_structp png, png_const_charp message) {
  auto* context = static_cast<PngContext*>(png_get_error_ptr(png));
  std::snprintf(context->error, sizeof context->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void read_from_memory(png_structp png, png_bytep out, png_size_t count) {
  auto* context = static_cast<PngContext*>(png_get_io_ptr(png));
  if (count > context->size - context->position) png_error(png, "file is truncated");
  std::memcpy(out, context->data + context->position, count);
  context->position += count;
}

void write_to_memory(png_structp png, png_bytep data, png_size_t count) {
  auto* context = static_cast<PngContext*>(png_get_io_ptr(png));
  context->out->insert(context->out->end(), data, data + count);
}

void flush_nothing(png_structp) {}

// LRA's largest images are 256x256 (Pathfinder-256); a header claiming more is rejected before the
// pixel buffer is allocated (32768^2 = 1 GiB for a few hundred bytes of input).
constexpr png_uint_32 kMaxSide = 4096;

// The setjmp frame: every local here is trivially destructible and none is modified after setjmp,
// so the longjmp from libpng skips no destructor and reads no stale register.
bool decode_into(PngContext* context, GrayImage* image) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, context, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    std::snprintf(context->error, sizeof context->error, "out of memory");
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, context, read_from_memory);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  if (color_type != PNG_COLOR_TYPE_GRAY || bit_depth != 8) {
    std::snprintf(context->error, sizeof context->error,
                  "expected an 8-bit grayscale PNG, found %s with bit depth %d",
                  color_type == PNG_COLOR_TYPE_GRAY         ? "grayscale"
                  : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? "grayscale+alpha"
                  : color_type == PNG_COLOR_TYPE_PALETTE    ? "a palette image"
                  : color_type == PNG_COLOR_TYPE_RGB        ? "RGB"
                                                            : "RGBA",
                  bit_depth);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  if (width > kMaxSide || height > kMaxSide) png_error(png, "image is implausibly large");
  image->width = static_cast<int>(width);
  image->height = static_cast<int>(height);
  image->pixels.resize(static_cast<size_t>(width) * height);
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  for (int pass = 0; pass < passes; ++pass)
    for (png_uint_32 y = 0; y < height; ++y) png_read_row(png, image->pixels.data() + y * width, nullptr);
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

bool encode_into(PngContext* context, const GrayImage* image) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, context, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    std::snprintf(context->error, sizeof context->error, "out of memory");
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, context, write_to_memory, flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image->width), static_cast<png_uint_32>(image->height), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image->height; ++y)
    png_write_row(png, image->pixels.data() + static_cast<size_t>(y) * image->width);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

GrayImage decode_gray_png(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) throw UserError(name + ": not a PNG file (bad signature)");
  PngContext context;
  context.data = data;
  context.size = size;
  GrayImage image;
  if (!decode_into(&context, &image)) throw UserError(name + ": cannot decode PNG: " + context.error);
  return image;
}

GrayImage read_gray_png(const std::string& path) {
  std::vector<uint8_t> bytes = read_binary_file(path);
  return decode_gray_png(bytes.data(), bytes.size(), path);
}

std::vector<uint8_t> encode_gray_png(const GrayImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height)
    throw std::invalid_argument("encode_gray_png: pixel buffer does not match " + std::to_string(image.width) + "x" +
                                std::to_string(image.height));
  std::vector<uint8_t> out;
  out.reserve(64 + image.pixels.size() / 2);
  PngContext context;
  context.out = &out;
  if (!encode_into(&context, &image)) throw std::runtime_error(std::string("cannot encode PNG: ") + context.error);
  return out;
}

void write_gray_png(const std::string& path, const GrayImage& image) {
  const std::vector<uint8_t> bytes = encode_gray_png(image);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw UserError("cannot write " + path + ": " + std::strerror(errno));
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
  const bool closed = std::fclose(file) == 0;
  if (written != bytes.size() || !closed) throw UserError("cannot write " + path + ": " + std::strerror(errno));
}

std::vector<uint8_t> read_binary_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError("cannot read " + path + ": " + std::strerror(errno));
  struct stat info {};
  size_t expected = 0;
  if (::fstat(fd, &info) == 0 && info.st_size > 0) expected = static_cast<size_t>(info.st_size);
  // One read of the size fstat reports, then grow if the file was longer than that.
  std::vector<uint8_t> bytes(expected + 1);
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) bytes.resize(bytes.size() * 2 + 4096);
    const ssize_t got = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int saved = errno;
      ::close(fd);
      throw UserError("cannot read " + path + ": " + std::strerror(saved));
    }
    if (got == 0) break;
    used += static_cast<size_t>(got);
  }
  ::close(fd);
  bytes.resize(used);
  return bytes;
}

}  // namespace lra
