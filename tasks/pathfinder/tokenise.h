#pragma once
// Pixels to tokens for Pathfinder: gray+1 (1..256), optionally mean-pooled pool x pool (rounded).
#include <cstdint>

#include "tasks/pathfinder/png_io.h"

namespace lra {

// Writes (width/pool)^2 tokens to `out`; the image is square and pool divides its side.
void tokenise_pathfinder(const GrayImage& image, int pool, uint16_t* out);

}  // namespace lra
