#pragma once
// Markdown views of bench results beyond Table 2: a before/after comparison of two bench runs (e.g.
// runtime optimisations off vs on, measured on the same machine) and the per-operator time profile
// of the cells run with `lra bench --op-profile`.
#include <string>

#include "lra/config/config.h"

namespace lra {

// One row per (model, length) present in `after`: step time before/after and their ratio, peak tensor
// bytes before/after, peak RSS / peak tensor bytes and FLOP utilisation after. Cells missing or not
// "ok" on either side are shown with their status.
std::string bench_comparison_markdown(const Json& before, const Json& after);

// For each row with an op_profile: its largest operators by self time, with share of the step.
// Empty when no row was profiled.
std::string op_profile_markdown(const Json& bench, size_t top = 12);

}  // namespace lra
