#include "tasks/pathfinder/snakes.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tasks/pathfinder/paddle_shapes.h"
#include "tasks/pathfinder/random.h"
#include "tasks/pathfinder/raster.h"

namespace lra {

namespace snakes {
namespace {

constexpr float kOverlap = 1.8f;          // mask + new cover >= this means two paddles collide
constexpr float kFree = 0.3f;             // a mask value <= this counts as free space
constexpr double kStopWhenFree = 0.01;    // distractors stop when under 1% of the image is free
constexpr int kMaxPairAttempts = 100000;  // target pairs are regenerated until one fits

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
      // Each new paddle is tested against the mask, which still lacks the other snake's newest paddle, so
      // the two last paddles were never tested against each other: they may overlap, up to sharing their
      // head, and then the two labels' end markers sit on one blob (or one pixel: identical images).
      if (overlaps(targets_[0].last, targets_[1].last)) continue;
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
  // The same test between two placed paddles, as if one of them were in the mask.
  bool overlaps(const Placed& a, const Placed& b) const {
    const Patch& other = b.shape->raster.cover;
    const int y0 = other.y0 + b.at.y, x0 = other.x0 + b.at.x;
    bool hit = false;
    for_each(a.shape->raster.cover, a.at, [&](size_t i, float v) {
      const int r = static_cast<int>(i / size_) - y0, c = static_cast<int>(i % size_) - x0;
      hit = hit || (r >= 0 && c >= 0 && r < other.height && c < other.width && other.local(r, c) + v >= kOverlap);
    });
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
}  // namespace snakes

GrayImage render_pathfinder_image(const SnakeParams& params, int label, uint64_t seed, int* margin) {
  Rng rng(seed);
  const int chosen = params.paddle_margins[rng.below(params.paddle_margins.size())];
  if (margin) *margin = chosen;
  snakes::Canvas canvas(params, chosen, rng);
  canvas.grow_targets();
  canvas.add_distractors();
  return canvas.finish(label);
}

}  // namespace lra
