#include "tasks/pathfinder/snakes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <tuple>

#include "lra/errors.h"
#include "tasks/pathfinder/random.h"
#include "tasks/pathfinder/raster.h"

namespace lra {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kOverlap = 1.8f;         // mask + new cover >= this means two paddles collide
constexpr float kFree = 0.3f;            // a mask value <= this counts as free space
constexpr float kCore = 0.999f;          // cover pixels this full form a paddle's seed footprint
constexpr double kStopWhenFree = 0.01;   // distractors stop when under 1% of the image is free
constexpr int kMaxPairAttempts = 100000;  // target pairs are regenerated until one fits

double radians(int degrees) { return degrees * kPi / 180.0; }

struct Point {
  int y = 0, x = 0;
  bool operator<(const Point& o) const { return y < o.y || (y == o.y && x < o.x); }
  bool operator==(const Point& o) const { return y == o.y && x == o.x; }
};

Point step(Point from, double angle, double distance) {
  return {static_cast<int>(std::lround(from.y + distance * std::sin(angle))),
          static_cast<int>(std::lround(from.x + distance * std::cos(angle)))};
}

// A paddle drawn from (0, 0); placing it at an integer pixel is a pure shift.
struct PaddleShape {
  PaddleRaster raster;
  std::vector<Point> footprint;  // cover pixels that are (nearly) full: must be free to seed here
};

// Paddle shapes depend only on their direction, and directions come from a small set: integer
// degrees for seeds, integer pixel offsets on the candidate circle for growth. So each shape is
// rasterised once per thread and margin, not once per try (the pair is often regenerated).
class ShapeCache {
 public:
  ShapeCache(const SnakeParams& p, int margin) : p_(p), margin_(margin) {
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

  // Seed paddle: from its tail along `degrees`.
  const PaddleShape& seed(int degrees) {
    auto found = seeds_.find(degrees);
    if (found == seeds_.end()) found = seeds_.emplace(degrees, make(radians(degrees))).first;
    return found->second;
  }
  // Growth paddle for circle candidate `index`: from the candidate back toward the pivot.
  const PaddleShape& growth(size_t index) {
    if (growth_.empty()) growth_.resize(circle_.size());
    if (!growth_[index]) growth_[index] = std::make_unique<PaddleShape>(make(circle_angles_[index] + kPi));
    return *growth_[index];
  }

  const std::vector<Point>& circle() const { return circle_; }         // candidate offsets, sorted
  const std::vector<double>& circle_angles() const { return circle_angles_; }
  const std::vector<Point>& disc() const { return disc_; }             // offsets within the margin

 private:
  PaddleShape make(double angle) const {
    PaddleShape shape{render_paddle(0, 0, angle, p_.paddle_length, p_.paddle_thickness, margin_, p_.antialias), {}};
    const Patch& cover = shape.raster.cover;
    for (int r = 0; r < cover.height; ++r)
      for (int c = 0; c < cover.width; ++c)
        if (cover.local(r, c) >= kCore) shape.footprint.push_back({cover.y0 + r, cover.x0 + c});
    return shape;
  }

  const SnakeParams p_;
  const int margin_;
  std::vector<Point> circle_, disc_;
  std::vector<double> circle_angles_;
  std::map<int, PaddleShape> seeds_;
  std::vector<std::unique_ptr<PaddleShape>> growth_;
};

ShapeCache& shapes_for(const SnakeParams& p, int margin) {
  thread_local std::map<std::tuple<int, double, int, int>, std::unique_ptr<ShapeCache>> caches;
  auto& cache = caches[{p.paddle_length, p.paddle_thickness, margin, p.antialias}];
  if (!cache) cache = std::make_unique<ShapeCache>(p, margin);
  return *cache;
}

// A paddle placed in the image: its shape, where its (0, 0) lands, and its intensity.
struct Placed {
  const PaddleShape* shape = nullptr;
  Point at;
  float contrast = 0;
};

struct Snake {
  Point pivot;         // centre of the next circle of candidates, before stepping
  double angle = 0;    // orientation of the last paddle, radians
  Placed last;         // the last paddle: its cover joins the mask only when the next one is placed
  Point origin_tip;    // the free end of the first paddle
  Point terminal_tip;  // the free end of the last paddle
};

// One image being generated: the occupancy mask (RxR) and the paddles placed so far. Lines are
// rendered only at the end, so abandoned attempts cost no drawing.
class Canvas {
 public:
  Canvas(const SnakeParams& p, int margin, Rng& rng)
      : p_(p), margin_(margin), rng_(rng), size_(p.resolution), shapes_(shapes_for(p, margin)) {
    clear();
  }

  // The two target snakes, grown in lockstep; the pair is regenerated from scratch until it fits.
  void grow_targets() {
    const float contrast = static_cast<float>(p_.snake_contrast * p_.paddle_contrast);
    for (int attempt = 0; attempt < kMaxPairAttempts; ++attempt) {
      clear();
      if (!seed_target_pair(contrast)) continue;
      bool grown = true;
      for (int segment = 1; segment < p_.contour_length && grown; ++segment)
        for (Snake& snake : targets_)
          if (!(grown = extend(snake, contrast))) break;
      if (!grown) continue;
      for (Snake& snake : targets_) commit(snake.last);
      return;
    }
    throw std::runtime_error("pathfinder generator: no target pair fits after " + std::to_string(kMaxPairAttempts) +
                             " attempts (parameters too tight for the image size)");
  }

  void add_distractors() {
    for (int i = 0; i < p_.distractor_snakes; ++i)
      for (int attempt = 0; attempt <= p_.max_distractor_retrials; ++attempt)
        if (add_snake(p_.distractor_length)) break;
    if (!p_.single_paddles) return;
    const int m = margin_;
    const int budget = static_cast<int>(150.0 / ((7.5 + 13.0 * m + 4.0 * m * m) / 123.5));
    const int singles = budget - 2 * p_.contour_length - p_.distractor_snakes * p_.distractor_length;
    for (int i = 0; i < singles; ++i)
      for (int attempt = 0; attempt <= p_.max_paddle_retrials; ++attempt)
        if (add_snake(1)) break;
  }

  // Draws the paddles, then markers on both ends of one target snake (label 1) or on ends of the
  // two (label 0), and rescales to 0..255.
  GrayImage finish(int label) {
    std::vector<float> image(mask_.size(), 0.0f);
    for (const Placed& paddle : placed_)
      for_each(paddle.shape->raster.line, paddle.at,
               [&](size_t i, float v) { image[i] = std::max(image[i], paddle.contrast * v); });
    const int first = rng_.between(0, 2);
    const int second = label == 1 ? first : 1 - first;
    for (Point tip : {targets_[first].origin_tip, targets_[second].terminal_tip}) {
      const Patch disc = render_disc(tip.y, tip.x, p_.marker_radius, p_.antialias);
      for_each(disc, {0, 0}, [&](size_t i, float v) { image[i] = std::max(image[i], v); });
    }
    // Min-max rescale to 0..255, as scipy's imsave did.
    const auto [low, high] = std::minmax_element(image.begin(), image.end());
    const float lo = *low, range = *high - *low;
    GrayImage out(size_, size_);
    if (range > 0)
      for (size_t i = 0; i < image.size(); ++i)
        out.pixels[i] = static_cast<uint8_t>(std::min(255.0f, (image[i] - lo) * (255.0f / range) + 0.5f));
    return out;
  }

 private:
  // Empty image: only the padding border is taken.
  void clear() {
    placed_.clear();
    if (empty_mask_.empty()) {
      mask_.assign(static_cast<size_t>(size_) * size_, 0.0f);
      for (int y = 0; y < size_; ++y)
        for (int x = 0; x < size_; ++x)
          if (y < p_.padding || x < p_.padding || y >= size_ - p_.padding || x >= size_ - p_.padding)
            mask_at(y, x) = 1;
      empty_mask_ = mask_;
    }
    mask_ = empty_mask_;
  }

  bool inside(Point q) const { return q.y >= 0 && q.x >= 0 && q.y < size_ && q.x < size_; }
  float& mask_at(int y, int x) { return mask_[static_cast<size_t>(y) * size_ + x]; }
  float mask_at(int y, int x) const { return mask_[static_cast<size_t>(y) * size_ + x]; }

  // Visits the in-image pixels of a patch shifted by `at`: fn(image index, patch value).
  template <typename Fn>
  void for_each(const Patch& patch, Point at, Fn fn) const {
    const int y0 = patch.y0 + at.y, x0 = patch.x0 + at.x;
    for (int r = std::max(0, -y0); r < patch.height && y0 + r < size_; ++r)
      for (int c = std::max(0, -x0); c < patch.width && x0 + c < size_; ++c)
        fn(static_cast<size_t>(y0 + r) * size_ + x0 + c, patch.local(r, c));
  }
  void commit(const Placed& paddle) {
    for_each(paddle.shape->raster.cover, paddle.at, [&](size_t i, float v) { mask_[i] = std::max(mask_[i], v); });
  }
  bool collides(const PaddleShape& shape, Point at) const {
    bool hit = false;
    for_each(shape.raster.cover, at, [&](size_t i, float v) { hit = hit || mask_[i] + v >= kOverlap; });
    return hit;
  }

  // A uniformly drawn tail whose paddle footprint lies on free pixels, where pixels closer than
  // `band` to the edge count as taken. False when there is none.
  bool sample_tail(const PaddleShape& shape, int band, Point* tail) {
    auto free_at = [&](int y, int x) {
      return y >= band && x >= band && y < size_ - band && x < size_ - band && mask_at(y, x) <= kFree;
    };
    auto fits = [&](Point q) {
      for (Point o : shape.footprint) {
        const Point at{q.y + o.y, q.x + o.x};
        if (inside(at) && !free_at(at.y, at.x)) return false;
      }
      return true;
    };
    std::vector<Point>& open = open_;
    open.clear();
    for (int y = band; y < size_ - band; ++y)
      for (int x = band; x < size_ - band; ++x)
        if (free_at(y, x)) open.push_back({y, x});
    if (open.empty()) return false;
    // Rejection sampling is uniform over the fitting pixels; the exhaustive scan settles the rest.
    for (int tries = 0; tries < 64; ++tries) {
      const Point q = open[rng_.below(open.size())];
      if (fits(q)) return *tail = q, true;
    }
    std::vector<Point> fitting;
    for (Point q : open)
      if (fits(q)) fitting.push_back(q);
    if (fitting.empty()) return false;
    *tail = fitting[rng_.below(fitting.size())];
    return true;
  }

  // First paddle of a snake at a random integer angle; `choose_tail(shape, &tail)` places it, and
  // its head and pivot must land in the image.
  template <typename ChooseTail>
  bool seed(Snake* snake, float contrast, ChooseTail choose_tail) {
    for (int trial = 0; trial <= p_.max_paddle_retrials; ++trial) {
      const int degrees = rng_.between(-180, 180);
      const double angle = radians(degrees);
      const PaddleShape& shape = shapes_.seed(degrees);
      Point tail;
      if (!choose_tail(shape, &tail)) return false;
      const Point head = step(tail, angle, p_.paddle_length);
      const Point pivot = step(head, angle + kPi, p_.paddle_length + margin_);
      if (!inside(tail) || !inside(head) || !inside(pivot)) continue;
      const Placed paddle{&shape, tail, contrast};
      placed_.push_back(paddle);
      *snake = Snake{pivot, angle, paddle, tail, head};
      return true;
    }
    return false;
  }

  bool seed_target_pair(float contrast) {
    const int band = 2 * p_.seed_distance;
    if (!seed(&targets_[0], contrast, [&](const PaddleShape& shape, Point* tail) {
          return sample_tail(shape, band, tail);
        }))
      return false;
    const Point first = targets_[0].origin_tip;
    return seed(&targets_[1], contrast, [&](const PaddleShape&, Point* tail) {
      *tail = step(first, radians(rng_.between(0, 360)), p_.seed_distance);
      return true;
    });
  }

  // One more paddle: candidates are the pixels on the circle of radius length+margin around the
  // stepped pivot, weighted by free space and the continuity prior; a colliding draw is retried.
  bool extend(Snake& snake, float contrast) {
    const Point pivot = step(snake.pivot, snake.angle, p_.paddle_length + 2.0 * margin_);
    const std::vector<Point>& circle = shapes_.circle();
    const std::vector<double>& angles = shapes_.circle_angles();
    cumulative_.assign(circle.size(), 0.0);
    double total = 0;
    for (size_t k = 0; k < circle.size(); ++k) {
      const Point q{pivot.y + circle[k].y, pivot.x + circle[k].x};
      if (inside(q)) {
        double turn = std::abs(angles[k] - snake.angle);
        turn = std::min(turn, 2 * kPi - turn);
        const double bend = std::max(std::cos(std::min(turn * p_.continuity, kPi / 2)), 0.0);
        total += (1.0 - dilated_mask(q)) * bend * bend;
      }
      cumulative_[k] = total;
    }
    if (total < 1e-4) return false;
    for (int trial = 0; trial <= p_.max_paddle_retrials; ++trial) {
      const double u = rng_.uniform() * total;
      const size_t k = std::min<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin(),
                                        circle.size() - 1);
      // The paddle runs from the candidate back toward the pivot; the candidate is the new head.
      const Point head{pivot.y + circle[k].y, pivot.x + circle[k].x};
      const PaddleShape& shape = shapes_.growth(k);
      if (collides(shape, head)) continue;
      commit(snake.last);  // the previous paddle: consecutive paddles may touch
      snake.last = Placed{&shape, head, contrast};
      placed_.push_back(snake.last);
      snake.pivot = pivot;
      snake.angle = angles[k];
      snake.terminal_tip = head;
      return true;
    }
    return false;
  }

  // Grey-scale dilation of the mask by a disc of radius margin, at one pixel.
  float dilated_mask(Point q) const {
    float best = 0;
    for (Point o : shapes_.disc()) {
      const Point at{q.y + o.y, q.x + o.x};
      if (inside(at)) best = std::max(best, mask_at(at.y, at.x));
      if (best >= 1.0f) break;
    }
    return std::min(best, 1.0f);
  }

  // A distractor snake of `paddles` paddles; on failure the canvas is left as it was.
  bool add_snake(int paddles) {
    const size_t free_pixels = std::count_if(mask_.begin(), mask_.end(), [](float v) { return v <= kFree; });
    if (static_cast<double>(free_pixels) / mask_.size() < kStopWhenFree) return false;
    const std::vector<float> mask_before = mask_;
    const size_t placed_before = placed_.size();
    Snake snake;
    const float contrast = static_cast<float>(p_.snake_contrast);
    bool ok = seed(&snake, contrast, [&](const PaddleShape& shape, Point* tail) { return sample_tail(shape, 1, tail); });
    for (int i = 1; i < paddles && ok; ++i) ok = extend(snake, contrast);
    if (!ok) {
      mask_ = mask_before;
      placed_.resize(placed_before);
      return false;
    }
    commit(snake.last);
    return true;
  }

  const SnakeParams& p_;
  const int margin_;
  Rng& rng_;
  const int size_;
  ShapeCache& shapes_;
  std::vector<float> mask_, empty_mask_;
  std::vector<Placed> placed_;
  std::vector<double> cumulative_;  // scratch for extend
  std::vector<Point> open_;         // scratch for sample_tail
  Snake targets_[2];
};

}  // namespace

nlohmann::json SnakeParams::to_json() const {
  return {{"resolution", resolution},
          {"padding", padding},
          {"antialias_scale", antialias},
          {"paddle_length", paddle_length},
          {"paddle_thickness", paddle_thickness},
          {"paddle_margins", paddle_margins},
          {"marker_radius", marker_radius},
          {"seed_distance", seed_distance},
          {"continuity", continuity},
          {"contour_length", contour_length},
          {"distractor_length", distractor_length},
          {"distractor_snakes", distractor_snakes},
          {"snake_contrast", snake_contrast},
          {"paddle_contrast", paddle_contrast},
          {"max_distractor_retrials", max_distractor_retrials},
          {"max_paddle_retrials", max_paddle_retrials},
          {"single_paddles", single_paddles}};
}

int contour_length_of(const std::string& difficulty) {
  if (difficulty == "curv_baseline") return 6;
  if (difficulty == "curv_contour_length_9") return 9;
  if (difficulty == "curv_contour_length_14") return 14;
  throw UserError("unknown pathfinder difficulty '" + difficulty +
                  "' (known: curv_baseline, curv_contour_length_9, curv_contour_length_14)");
}

SnakeParams pathfinder_params(int resolution, const std::string& difficulty) {
  SnakeParams p;
  p.resolution = resolution;
  p.contour_length = contour_length_of(difficulty);
  // Settings from the LRA TFDS builder docstrings; the rest are the generator's defaults.
  int distractor_budget = 0;  // paddles spent on distractor snakes
  if (resolution == 32) {
    p.padding = 1, p.antialias = 2, p.paddle_margins = {1}, p.paddle_length = 2, p.paddle_thickness = 0.5;
    p.marker_radius = 1.5, p.seed_distance = 7, p.continuity = 1.0;
    p.snake_contrast = 2.0, p.paddle_contrast = 0.75, distractor_budget = 20;
  } else if (resolution == 128) {
    p.padding = 1, p.antialias = 2, p.paddle_margins = {2, 3}, p.paddle_length = 5, p.paddle_thickness = 1.5;
    p.marker_radius = 3, p.seed_distance = 20, p.continuity = 1.8;
    p.snake_contrast = 0.9, p.paddle_contrast = 1.0, distractor_budget = 35;
  } else {
    throw UserError("pathfinder generator: resolution " + std::to_string(resolution) +
                    " has no parameter set (known: 32, 128)");
  }
  p.distractor_length = p.contour_length / 3;
  p.distractor_snakes = distractor_budget / p.distractor_length;
  return p;
}

GrayImage render_pathfinder_image(const SnakeParams& params, int label, uint64_t seed, int* margin) {
  Rng rng(seed);
  const int chosen = params.paddle_margins[rng.below(params.paddle_margins.size())];
  if (margin) *margin = chosen;
  Canvas canvas(params, chosen, rng);
  canvas.grow_targets();
  canvas.add_distractors();
  return canvas.finish(label);
}

}  // namespace lra
