#pragma once
// An independent ListOps evaluator for the data tests: the value of a token sequence (ids 1..15),
// computed with an explicit stack rather than the generator's recursion.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace lra::test {

// Evaluates a token sequence (ids 1..15) with an explicit stack; also counts the parenthesis pairs the
// official string must carry (an operator with k arguments is k + 1 nested pairs).
struct Evaluation {
  int value = -1;
  int64_t paren_pairs = 0;
  bool well_formed = true;
};

inline Evaluation evaluate(const uint16_t* tokens, int64_t n) {
  struct Frame {
    int op;
    std::vector<int> args;
  };
  std::vector<Frame> stack;
  Evaluation result;
  auto deliver = [&](int value) {
    if (stack.empty()) {
      if (result.value != -1) result.well_formed = false;
      result.value = value;
    } else {
      stack.back().args.push_back(value);
    }
  };
  for (int64_t i = 0; i < n; ++i) {
    const int id = tokens[i];
    if (id >= 1 && id <= 4) {
      stack.push_back({id, {}});
    } else if (id >= 6 && id <= 15) {
      deliver(id - 6);
    } else if (id == 5) {  // X closes the innermost operator
      if (stack.empty()) return {-1, 0, false};
      Frame frame = stack.back();
      stack.pop_back();
      std::vector<int> a = frame.args;
      if (a.empty()) return {-1, 0, false};
      std::sort(a.begin(), a.end());
      int value = 0;
      if (frame.op == 1) value = a.front();
      if (frame.op == 2) value = a.back();
      if (frame.op == 3) value = a.size() % 2 ? a[a.size() / 2] : (a[a.size() / 2 - 1] + a[a.size() / 2]) / 2;
      if (frame.op == 4) {
        for (int x : a) value += x;
        value %= 10;
      }
      result.paren_pairs += static_cast<int64_t>(a.size()) + 1;
      deliver(value);
    } else {
      return {-1, 0, false};
    }
  }
  if (!stack.empty()) result.well_formed = false;
  return result;
}

}  // namespace lra::test
