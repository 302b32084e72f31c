#include "tasks/pathfinder/raster.h"

#include <algorithm>
#include <cmath>

namespace lra {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kLanczosLobes = 3;  // PIL's LANCZOS, which the original generator resized with
constexpr int kSubsamples = 4;    // per fine pixel and axis, for the line's antialiased ink

double lanczos(double t) {
  if (t == 0.0) return 1.0;
  if (std::abs(t) >= kLanczosLobes) return 0.0;
  const double a = kPi * t;
  return kLanczosLobes * std::sin(a) * std::sin(a / kLanczosLobes) / (a * a);
}

// Taps of the downsampling filter for an integer factor: output pixel i reads input pixels
// i*factor + first + k, k = 0..weights.size()-1. The same taps serve every output pixel.
struct Taps {
  int first = 0;
  std::vector<double> weights;
};

Taps lanczos_taps(int factor) {
  Taps taps;
  taps.first = -kLanczosLobes * factor;
  double total = 0;
  for (int d = taps.first; d < (kLanczosLobes + 1) * factor; ++d) {
    // Input pixel centre relative to the output pixel centre, in output pixels.
    const double w = lanczos((d + 0.5) / factor - 0.5);
    taps.weights.push_back(w);
    total += w;
  }
  for (double& w : taps.weights) w /= total;
  return taps;
}

const Taps& cached_taps(int factor) {
  static const Taps two = lanczos_taps(2);  // every LRA parameter set uses antialias 2
  if (factor == 2) return two;
  thread_local Taps other;
  thread_local int other_factor = 0;
  if (other_factor != factor) {
    other = lanczos_taps(factor);
    other_factor = factor;
  }
  return other;
}

// Separable Lanczos downsampling of a (h*f) x (w*f) buffer to h x w, clipped to [0, 1] as an
// 8-bit resize would clip its overshoot.
void downsample_lanczos(const std::vector<float>& fine, int h, int w, int f, std::vector<float>* out) {
  const Taps& taps = cached_taps(f);
  const int fine_h = h * f, fine_w = w * f;
  std::vector<float> rows(static_cast<size_t>(fine_h) * w, 0.0f);  // horizontal pass: fine_h x w
  for (int r = 0; r < fine_h; ++r) {
    const float* in = fine.data() + static_cast<size_t>(r) * fine_w;
    for (int c = 0; c < w; ++c) {
      double sum = 0;
      for (size_t k = 0; k < taps.weights.size(); ++k) {
        const int src = c * f + taps.first + static_cast<int>(k);
        if (src >= 0 && src < fine_w) sum += taps.weights[k] * in[src];
      }
      rows[static_cast<size_t>(r) * w + c] = static_cast<float>(sum);
    }
  }
  out->assign(static_cast<size_t>(h) * w, 0.0f);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      double sum = 0;
      for (size_t k = 0; k < taps.weights.size(); ++k) {
        const int src = r * f + taps.first + static_cast<int>(k);
        if (src >= 0 && src < fine_h) sum += taps.weights[k] * rows[static_cast<size_t>(src) * w + c];
      }
      (*out)[static_cast<size_t>(r) * w + c] = static_cast<float>(std::clamp(sum, 0.0, 1.0));
    }
  }
}

void downsample_box(const std::vector<float>& fine, int h, int w, int f, std::vector<float>* out) {
  out->assign(static_cast<size_t>(h) * w, 0.0f);
  const int fine_w = w * f;
  const float scale = 1.0f / static_cast<float>(f * f);
  for (int r = 0; r < h * f; ++r)
    for (int c = 0; c < fine_w; ++c) (*out)[static_cast<size_t>(r / f) * w + c / f] += fine[static_cast<size_t>(r) * fine_w + c];
  for (float& v : *out) v *= scale;
}

// Window of side 2*reach+1 centred on the pixel nearest (y, x).
Patch window_around(double y, double x, int reach) {
  Patch patch;
  patch.y0 = static_cast<int>(std::lround(y)) - reach;
  patch.x0 = static_cast<int>(std::lround(x)) - reach;
  patch.height = patch.width = 2 * reach + 1;
  return patch;
}

// Image coordinate of the centre of fine pixel `index` in a window starting at image pixel `origin`.
double fine_centre(int origin, int index, int factor) { return origin + (index + 0.5) / factor - 0.5; }

}  // namespace

PaddleRaster render_paddle(double y, double x, double angle, double length, double thickness, double margin,
                           int antialias) {
  const double half_line = thickness / 2;
  const double half_cover = half_line + margin;
  // Room for the segment, its cover, and the Lanczos filter's reach (kLanczosLobes pixels).
  const int reach = static_cast<int>(std::ceil(length + half_cover)) + 1 + kLanczosLobes;
  PaddleRaster raster;
  raster.line = window_around(y, x, reach);
  raster.cover = raster.line;
  const int side = raster.line.height, fine_side = side * antialias;

  const double dy = std::sin(angle) * length, dx = std::cos(angle) * length;
  const double length_sq = dy * dy + dx * dx;
  // Squared distance from a point (relative to the start) to the segment.
  auto distance_sq = [&](double py, double px) {
    const double t = length_sq > 0 ? std::clamp((py * dy + px * dx) / length_sq, 0.0, 1.0) : 0.0;
    const double ey = py - t * dy, ex = px - t * dx;
    return ey * ey + ex * ex;
  };
  std::vector<float> fine_line(static_cast<size_t>(fine_side) * fine_side, 0.0f);
  std::vector<float> fine_cover(fine_line.size(), 0.0f);
  const double line_sq = half_line * half_line, cover_sq = half_cover * half_cover + 1e-9;
  const double near_sq = (half_line + 1.0 / antialias) * (half_line + 1.0 / antialias);
  const double sub = 1.0 / (kSubsamples * antialias);  // subsample spacing, image pixels
  for (int r = 0; r < fine_side; ++r) {
    const double py = fine_centre(raster.line.y0, r, antialias) - y;
    for (int c = 0; c < fine_side; ++c) {
      const double px = fine_centre(raster.line.x0, c, antialias) - x;
      const double centre_sq = distance_sq(py, px);
      const size_t at = static_cast<size_t>(r) * fine_side + c;
      if (centre_sq <= cover_sq) fine_cover[at] = 1.0f;
      if (centre_sq > near_sq) continue;
      // The line's ink: the fraction of the fine pixel inside the segment `thickness` wide.
      int inside = 0;
      for (int i = 0; i < kSubsamples; ++i)
        for (int j = 0; j < kSubsamples; ++j)
          inside += distance_sq(py + (i + 0.5 - kSubsamples / 2.0) * sub, px + (j + 0.5 - kSubsamples / 2.0) * sub) <= line_sq;
      fine_line[at] = static_cast<float>(inside) / (kSubsamples * kSubsamples);
    }
  }
  downsample_lanczos(fine_line, side, side, antialias, &raster.line.values);
  downsample_box(fine_cover, side, side, antialias, &raster.cover.values);
  return raster;
}

Patch render_disc(double y, double x, double radius, int antialias) {
  const int reach = static_cast<int>(std::ceil(radius)) + 1 + kLanczosLobes;
  Patch disc = window_around(y, x, reach);
  const int fine_side = disc.height * antialias;
  std::vector<float> fine(static_cast<size_t>(fine_side) * fine_side, 0.0f);
  const double radius_sq = radius * radius + 1e-9;
  for (int r = 0; r < fine_side; ++r) {
    const double py = fine_centre(disc.y0, r, antialias) - y;
    for (int c = 0; c < fine_side; ++c) {
      const double px = fine_centre(disc.x0, c, antialias) - x;
      if (py * py + px * px <= radius_sq) fine[static_cast<size_t>(r) * fine_side + c] = 1.0f;
    }
  }
  downsample_lanczos(fine, disc.height, disc.width, antialias, &disc.values);
  return disc;
}

}  // namespace lra
