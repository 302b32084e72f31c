// The --set parser: every line of the input is one "key.path=value" override, applied in order on top
// of the shipped listops x luna-16 x smoke config (exactly what `lra train --set ...` does).
#include "fuzz/fuzz_support.h"
#include "lra/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> overrides;
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start < input.size() && overrides.size() < 32;) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    overrides.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  lra_fuzz::expect_success_or_user_error([&] {
    const lra::Json config = lra::resolve_config({"listops", "luna-16", "smoke", overrides, ""});
    // A resolved config must be writable as a report: dump() must not throw (e.g. on non-UTF-8 text).
    (void)config.dump();
  });
  return 0;
}
