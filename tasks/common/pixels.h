#pragma once
// Pixel conversions shared by the image tasks: TF's RGB -> grayscale on uint8 pixels, and k x k mean
// pooling of a square grayscale image.
#include <cstdint>
#include <vector>

namespace lra::data {

// tf.image.rgb_to_grayscale on uint8 input (what the LRA image pipeline, google-research/long-range-arena
// cd31e5c lra_benchmarks/image/input_pipeline.py, applies to CIFAR-10), in float32 as TF computes it:
// to float by x * (1/255), weights 0.2989 0.5870 0.1140, back to uint8 by x * 255.5 truncated.
inline uint8_t tf_grayscale(uint8_t r, uint8_t g, uint8_t b) {
  const float scale = 1.0f / 255.0f;
  const float gray = (static_cast<float>(r) * scale) * 0.2989f + (static_cast<float>(g) * scale) * 0.5870f +
                     (static_cast<float>(b) * scale) * 0.1140f;
  return static_cast<uint8_t>(gray * 255.5f);
}

// Mean over factor x factor blocks of a side x side image (row-major), rounded half up.
// side % factor == 0; the result is (side/factor)^2 values.
inline std::vector<uint8_t> mean_pool(const uint8_t* image, int side, int factor) {
  const int out_side = side / factor;
  const int cells = factor * factor;
  std::vector<uint8_t> pooled(static_cast<size_t>(out_side * out_side));
  for (int y = 0; y < out_side; ++y)
    for (int x = 0; x < out_side; ++x) {
      int sum = 0;
      for (int dy = 0; dy < factor; ++dy)
        for (int dx = 0; dx < factor; ++dx) sum += image[(y * factor + dy) * side + x * factor + dx];
      pooled[static_cast<size_t>(y * out_side + x)] = static_cast<uint8_t>((sum + cells / 2) / cells);
    }
  return pooled;
}

}  // namespace lra::data
