#pragma once
// Errors a user can fix (bad config, malformed file, missing dataset). main() prints the one-line
// message and exits with code 2; anything else is a bug and exits 1.
#include <stdexcept>
#include <string>

namespace lra {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& what) : std::runtime_error(what) {}
};

constexpr int kExitUserError = 2;

}  // namespace lra
