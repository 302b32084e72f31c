#pragma once
// ListOps (LRA): nested [MIN [MAX [MED [SM expressions over digits, 10 classes (the value).
// Files: <data_dir>/<task.data.folder>/basic_{train,val,test}.tsv, header "Source<TAB>Target", Source the
// fully parenthesised expression, Target its value 0-9 (the format lra_benchmarks/data/listops.py of
// google-research/long-range-arena cd31e5c writes; docs/tasks-and-data.md).
// Token ids (official tokenisation: ']' -> X, parentheses dropped): 1..15 = [MIN [MAX [MED [SM X 0 1 ... 9;
// vocab_size 18 with pad 0, MASK 16 (self-pretraining) and CLS 17.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"

namespace lra {

// The 15 symbols in id order: listops_symbols()[i] has id i + 1.
const std::vector<std::string>& listops_symbols();

// Reads the three TSV files; UserError naming file:line on any malformed row.
TaskSplits load_listops(const std::string& data_dir, const nlohmann::json& task,
                      SplitsToRead which = SplitsToRead::all);

// The exact LRA generator (lra_benchmarks/data/listops.py) with task.generate.{train, val, test,
// min_length, max_length, max_depth, max_args}; std::mt19937_64 seeded with `seed` replaces Python's
// random module, so the files differ from the release but follow the same distribution. A candidate is
// abandoned as soon as it reaches max_length tokens (it would be rejected anyway).
void generate_listops(const std::string& data_dir, const nlohmann::json& task, uint64_t seed);

}  // namespace lra
