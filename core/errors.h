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

// Bytes from a file or the command line quoted in an error message: at most max_bytes of them, then
// "..."; well-formed UTF-8 is kept, control bytes and bytes that are not UTF-8 become \xHH, so every
// message stays one printable UTF-8 line (the loaders' non-UTF-8 rule: bytes are data, never echoed raw).
std::string printable(const std::string& bytes, size_t max_bytes = 60);

// The first line of a message (libtorch's errors append a multi-line backtrace).
std::string first_line(const std::string& message);

}  // namespace lra
