#pragma once
// The rows of a bench result (bench.json "rows") as readers and writers share them: their labels,
// the ratios against the reference model, the CSV. Plain JSON, no libtorch: `lra report` and `lra plot`
// read bench results through these.
#include <string>

#include "lra/config/config.h"

namespace lra {

// A bench row's attention_kernel when the model ran no softmax attention (its own mixing, e.g. kernel
// features): what dot_product_attention's kernels_used reports otherwise.
constexpr const char* kNoAttentionKernel = "none";

// The reference model of the ratios, and its second row: the same model with its softmax probabilities
// stored for backward (runtime.fused_attention=false), as the LRA paper's Transformer was measured.
// Added to a CPU grid whenever the reference is in it and the default row ran the fused kernel, because
// the two memory stories differ (the fused kernel recomputes the probabilities in backward).
constexpr const char* kMaterialisedVariant = "materialised";

// Adds speed-up and memory fraction against the reference model at the same task and length to every
// row: speedup_vs_<reference> / memory_fraction_vs_<reference> against its default row, and
// ..._vs_<reference>_materialised against its materialised row when the grid has one.
void add_ratios(Json& rows, const std::string& reference);

// A row's name in tables and plots: the model, and its variant in parentheses when it has one.
std::string bench_row_label(const Json& row);

// Checks that a bench result has the fields and types its readers use (report, plot, before/after);
// UserError naming `path`, the row and the field otherwise.
void validate_bench(const Json& bench, const std::string& path);

// bench.csv: one line per row, the columns in a fixed order (new ones appended, so positions stay).
std::string bench_csv(const Json& rows);

}  // namespace lra
