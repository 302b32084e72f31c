// ListOps generator: the LRA algorithm (google-research/long-range-arena cd31e5c,
// lra_benchmarks/data/listops.py; restated in docs/tasks-and-data.md), step for step.
#include <algorithm>
#include <fstream>
#include <unordered_set>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/random.h"
#include "tasks/listops/listops.h"

namespace lra {
namespace {

constexpr double kOperatorProbability = 0.25;  // VALUE_P: a node is an operator w.p. 0.25, a digit otherwise
const char* const kOperators[] = {"[MIN", "[MAX", "[MED", "[SM"};

// Token codes of a candidate in prefix order: digits 0-9, operators 10-13, ']' 14. The token count is
// the official length (operators + digits + ']'); parentheses are added only when writing.
constexpr char kFirstOperator = 10;
constexpr char kClose = 14;

struct Bounds {
  int64_t max_depth, max_args, max_length;
};

int apply_operator(int op, std::vector<int> args) {
  switch (op) {
    case 0: return *std::min_element(args.begin(), args.end());
    case 1: return *std::max_element(args.begin(), args.end());
    case 2: {  // int(np.median(args)): the middle value, or the truncated mean of the two middle values
      std::sort(args.begin(), args.end());
      const size_t n = args.size();
      return n % 2 ? args[n / 2] : (args[n / 2 - 1] + args[n / 2]) / 2;
    }
    default: {
      int sum = 0;
      for (int a : args) sum += a;
      return sum % 10;
    }
  }
}

// gen(depth) of listops.py: appends the expression's tokens and returns its value, or -1 once the
// candidate reaches max_length tokens (it would be rejected anyway; since candidates are independent
// draws, stopping early leaves the distribution of accepted expressions unchanged).
int generate(data::Rng& rng, const Bounds& bounds, int64_t depth, std::string& tokens) {
  const double r = depth < bounds.max_depth ? data::uniform01(rng) : 1.0;
  if (r > kOperatorProbability) {
    const int digit = static_cast<int>(data::uniform_below(rng, 10));
    tokens.push_back(static_cast<char>(digit));
    return static_cast<int64_t>(tokens.size()) >= bounds.max_length ? -1 : digit;
  }
  const int64_t arity = data::uniform_int(rng, 2, bounds.max_args);
  const size_t op_slot = tokens.size();
  tokens.push_back(kFirstOperator);  // the operator is drawn after its arguments, as in listops.py
  std::vector<int> args;
  for (int64_t i = 0; i < arity; ++i) {
    const int value = generate(rng, bounds, depth + 1, tokens);
    if (value < 0) return -1;
    args.push_back(value);
  }
  const int op = static_cast<int>(data::uniform_below(rng, 4));
  tokens[op_slot] = static_cast<char>(kFirstOperator + op);
  tokens.push_back(kClose);
  if (static_cast<int64_t>(tokens.size()) >= bounds.max_length) return -1;
  return apply_operator(op, std::move(args));
}

// The official string of the expression starting at tokens[pos] (advances pos). listops.py builds the
// tuple (op, kid0), then (t, kid) per further kid, then (t, ']'), and prints a pair as "( a b )": so
// "( " * (k + 1) + op + " " + kid0 + " )" + (" " + kid + " )") per further kid + " ] )".
std::string render(const std::string& tokens, size_t& pos) {
  const char code = tokens[pos++];
  if (code < kFirstOperator) return std::to_string(static_cast<int>(code));
  std::vector<std::string> kids;
  while (tokens[pos] != kClose) kids.push_back(render(tokens, pos));
  ++pos;  // ']'
  std::string text;
  for (size_t i = 0; i <= kids.size(); ++i) text += "( ";
  text += kOperators[code - kFirstOperator];
  for (const auto& kid : kids) text += " " + kid + " )";
  return text + " ] )";
}

}  // namespace

void generate_listops(const std::string& data_dir, const nlohmann::json& task, uint64_t seed) {
  const int64_t counts[3] = {data::get_int(task, "generate", "train"), data::get_int(task, "generate", "val"),
                             data::get_int(task, "generate", "test")};
  const int64_t min_length = data::get_int(task, "generate", "min_length");
  const int64_t max_length = data::get_int(task, "generate", "max_length");
  const Bounds bounds{data::get_int(task, "generate", "max_depth"), data::get_int(task, "generate", "max_args"),
                      max_length};
  for (int64_t c : counts)
    if (c < 1) throw UserError("task.generate.{train,val,test} must be >= 1 for listops");
  if (min_length < 0 || max_length - min_length < 2)
    throw UserError("task.generate: listops keeps lengths with min_length < length < max_length; got min_length " +
                    std::to_string(min_length) + ", max_length " + std::to_string(max_length));
  if (bounds.max_depth < 2 || bounds.max_args < 2)
    throw UserError("task.generate: listops needs max_depth >= 2 and max_args >= 2");

  // main(): draw until enough distinct expressions of accepted length; insertion order is random, so
  // the first `train` rows form the train split, as with the release's set order. Rows are written as
  // they are accepted. The token sequence (prefix order with ']') determines the string, so it serves
  // for the dedupe.
  data::StagingFolder staging(data_dir, data::get_string(task, "data", "folder"));
  const char* const names[3] = {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"};
  data::Rng rng(seed);
  std::unordered_set<std::string> seen;
  std::string tokens;
  int64_t draws_since_accept = 0;
  for (int split = 0; split < 3; ++split) {
    const std::string path = staging.path() + "/" + names[split];
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "Source\tTarget\n";
    for (int64_t written = 0; written < counts[split];) {
      tokens.clear();
      const int value = generate(rng, bounds, 1, tokens);
      const auto length = static_cast<int64_t>(tokens.size());
      if (value >= 0 && length > min_length && length < max_length && seen.insert(tokens).second) {
        size_t pos = 0;
        out << render(tokens, pos) << '\t' << value << '\n';
        ++written;
        draws_since_accept = 0;
      } else if (++draws_since_accept > 20000000) {
        throw UserError("listops generator: 20M draws without a new expression of length in (" +
                        std::to_string(min_length) + ", " + std::to_string(max_length) + ") (have " +
                        std::to_string(seen.size()) + "); widen task.generate.min_length/max_length or raise " +
                        "max_depth/max_args");
      }
    }
    out.flush();
    if (!out) throw UserError("cannot write " + path);
  }
  const nlohmann::json parameters{{"train", counts[0]},        {"val", counts[1]},
                                  {"test", counts[2]},         {"min_length", min_length},
                                  {"max_length", max_length},  {"max_depth", bounds.max_depth},
                                  {"max_args", bounds.max_args}, {"operator_probability", kOperatorProbability}};
  staging.commit(data::dataset_json(
      "generated: the LRA ListOps algorithm (lra_benchmarks/data/listops.py)", "lra data generate --task listops",
      parameters, seed, {{"train", counts[0]}, {"val", counts[1]}, {"test", counts[2]}}, /*substitute=*/false,
      "ListOps as LRA generated it: same operators, depth/arity/length bounds and dedupe; a different random stream"));
}

}  // namespace lra
