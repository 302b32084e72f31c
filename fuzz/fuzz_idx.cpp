// Fashion-MNIST IDX files (the Image generator's input): byte 0 of the input picks the reader (bit 0:
// images 0x00000803 or labels 0x00000801) and whether the rest is written gzip'd (bit 1) or plain,
// which zlib reads through unchanged; the rest is the file.
#include <zlib.h>

#include "fuzz/fuzz_support.h"
#include "tasks/image/image.h"

namespace {

std::string idx_bytes(uint32_t magic, uint32_t count, size_t item_bytes) {
  auto be = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string out = be(magic) + be(count);
  if (magic == 0x803) out += be(28) + be(28);
  for (size_t i = 0; i < count * item_bytes; ++i) out += static_cast<char>((i * 37) & 0xFF);
  return out;
}

void write_gzip(const lra_fuzz::fs::path& path, const uint8_t* data, size_t size) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (!file || (size > 0 && gzwrite(file, data, static_cast<unsigned>(size)) != static_cast<int>(size))) std::abort();
  gzclose(file);
}

struct Setup {
  lra_fuzz::fs::path file = lra_fuzz::scratch() / "fashion" / "train-images-idx3-ubyte.gz";
  Setup() {
    lra_fuzz::fs::create_directories(file.parent_path());
    if (const char* dir = lra_fuzz::seed_dir()) {
      // selector byte + file: plain images, gzip'd labels
      lra_fuzz::write_file(lra_fuzz::fs::path(dir) / "images_plain", "\x01" + idx_bytes(0x803, 2, 28 * 28));
      lra_fuzz::write_file(lra_fuzz::fs::path(dir) / "labels_gzip", std::string("\x02", 1) + idx_bytes(0x801, 3, 1));
    }
  }
};

const Setup& setup() {
  static const Setup s;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setup();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool images = data[0] & 1, gzipped = data[0] & 2;
  if (gzipped) write_gzip(setup().file, data + 1, size - 1);
  else lra_fuzz::write_file(setup().file, data + 1, size - 1);
  lra_fuzz::expect_success_or_user_error([&] {
    size_t count = 0;
    lra::read_idx(setup().file.string(), images ? 0x803 : 0x801, images ? 28 * 28 : 1, "fuzz", count);
  });
  return 0;
}
