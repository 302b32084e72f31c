#pragma once
// Drawing paddles (short thick line segments) and marker discs the way the Pathfinder generator
// does: rasterised at `antialias` times the image resolution, then downsampled. Coordinates are in
// image pixels, y down; pixel (y, x) has its centre at (y, x). An angle a points along
// (dy, dx) = (sin a, cos a).
#include <cstddef>
#include <vector>

namespace lra {

// A small window of an RxR canvas; it may reach past the canvas edges.
struct Patch {
  int y0 = 0, x0 = 0, height = 0, width = 0;
  std::vector<float> values;  // row-major, height * width

  float local(int row, int col) const { return values[static_cast<size_t>(row) * width + col]; }
};

struct PaddleRaster {
  Patch line;   // antialiased intensity in [0, 1]: the segment `thickness` wide, Lanczos-downsampled
  Patch cover;  // occupancy in [0, 1]: the segment grown by `margin` on every side, box-downsampled
};

// The paddle from (y, x), `length` pixels along `angle`.
PaddleRaster render_paddle(double y, double x, double angle, double length, double thickness, double margin,
                           int antialias);

// A filled disc of `radius` pixels centred on (y, x), Lanczos-downsampled, peak ~1.
Patch render_disc(double y, double x, double radius, int antialias);

}  // namespace lra
