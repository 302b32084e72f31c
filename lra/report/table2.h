#pragma once
// Table 2 of `lra report`: steps/s and peak memory per length from a bench result (lra bench), with
// ratios vs the Transformer, the attention kernel of every row, beside the LRA paper's numbers.
#include <string>

#include "lra/config/config.h"

namespace lra {

std::string table2_markdown(const Json& bench, const Json& published);

}  // namespace lra
