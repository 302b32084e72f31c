#include "tasks/pathfinder/paddle_shapes.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace lra::snakes {

Point step(Point from, double angle, double distance) {
  return {static_cast<int>(std::lround(from.y + distance * std::sin(angle))),
          static_cast<int>(std::lround(from.x + distance * std::cos(angle)))};
}

ShapeCache::ShapeCache(const SnakeParams& p, int margin) : p_(p), margin_(margin) {
  const double radius = p.paddle_length + margin;
  const int samples = static_cast<int>(std::ceil(2 * kPi * radius));  // about one per pixel of arc
  for (int k = 0; k < samples; ++k) circle_.push_back(step({0, 0}, k / radius, radius));
  std::sort(circle_.begin(), circle_.end());
  circle_.erase(std::unique(circle_.begin(), circle_.end()), circle_.end());
  for (Point o : circle_) circle_angles_.push_back(std::atan2(o.y, o.x));
  for (int dy = -margin; dy <= margin; ++dy)
    for (int dx = -margin; dx <= margin; ++dx)
      if (dy * dy + dx * dx <= margin * margin) disc_.push_back({dy, dx});
}

const PaddleShape& ShapeCache::seed(int degrees) {
  auto found = seeds_.find(degrees);
  if (found == seeds_.end()) found = seeds_.emplace(degrees, make(radians(degrees))).first;
  return found->second;
}

const PaddleShape& ShapeCache::growth(size_t index) {
  if (growth_.empty()) growth_.resize(circle_.size());
  if (!growth_[index]) growth_[index] = std::make_unique<PaddleShape>(make(circle_angles_[index] + kPi));
  return *growth_[index];
}

PaddleShape ShapeCache::make(double angle) const {
  PaddleShape shape{render_paddle(0, 0, angle, p_.paddle_length, p_.paddle_thickness, margin_, p_.antialias), {}};
  const Patch& cover = shape.raster.cover;
  for (int r = 0; r < cover.height; ++r)
    for (int c = 0; c < cover.width; ++c)
      if (cover.local(r, c) >= kCore) shape.footprint.push_back({cover.y0 + r, cover.x0 + c});
  return shape;
}

ShapeCache& shapes_for(const SnakeParams& p, int margin) {
  thread_local std::map<std::tuple<int, double, int, int>, std::unique_ptr<ShapeCache>> caches;
  auto& cache = caches[{p.paddle_length, p.paddle_thickness, margin, p.antialias}];
  if (!cache) cache = std::make_unique<ShapeCache>(p, margin);
  return *cache;
}

}  // namespace lra::snakes
