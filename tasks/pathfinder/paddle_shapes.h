#pragma once
// Paddle shapes for the snake generator, rasterised once and reused. A paddle's shape depends only
// on its direction, and directions come from a small set: integer degrees for seeds and the integer
// pixel offsets of the candidate circle for growth. The target pair is often regenerated many times
// per image, so each shape is drawn once per thread and margin instead of once per try.
#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "tasks/pathfinder/raster.h"
#include "tasks/pathfinder/snakes.h"

namespace lra::snakes {

constexpr double kPi = 3.14159265358979323846;
constexpr float kCore = 0.999f;  // cover pixels this full form a paddle's seed footprint

inline double radians(int degrees) { return degrees * kPi / 180.0; }

struct Point {
  int y = 0, x = 0;
  bool operator<(const Point& o) const { return y < o.y || (y == o.y && x < o.x); }
  bool operator==(const Point& o) const { return y == o.y && x == o.x; }
};

// The pixel nearest to `distance` pixels from `from` along `angle`.
Point step(Point from, double angle, double distance);

// A paddle drawn from (0, 0); placing it at an integer pixel is a pure shift.
struct PaddleShape {
  PaddleRaster raster;
  std::vector<Point> footprint;  // cover pixels that are (nearly) full: must be free to seed here
};

class ShapeCache {
 public:
  ShapeCache(const SnakeParams& p, int margin);

  const PaddleShape& seed(int degrees);  // seed paddle: from its tail along `degrees`
  const PaddleShape& growth(size_t index);  // circle candidate `index` back toward the pivot

  const std::vector<Point>& circle() const { return circle_; }  // candidate offsets, sorted
  const std::vector<double>& circle_angles() const { return circle_angles_; }
  const std::vector<Point>& disc() const { return disc_; }  // offsets within the margin

 private:
  PaddleShape make(double angle) const;

  const SnakeParams p_;
  const int margin_;
  std::vector<Point> circle_, disc_;
  std::vector<double> circle_angles_;
  std::map<int, PaddleShape> seeds_;
  std::vector<std::unique_ptr<PaddleShape>> growth_;
};

// This thread's cache for a paddle geometry (length, thickness, margin, antialias).
ShapeCache& shapes_for(const SnakeParams& p, int margin);

}  // namespace lra::snakes
