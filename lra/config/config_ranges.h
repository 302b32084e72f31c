#pragma once
// Valid ranges of config values, declared once in configs/defaults.json ("ranges": key path -> range
// text) and checked on the whole resolved config before any data are loaded or anything is written.
//   ">= a" "> a" "<= a" "< a"          one-sided bounds
//   "[a, b]" "[a, b)" "(a, b]" "(a, b)" intervals
//   "one of x, y, z"                    a set (strings or numbers)
//   "<bound or interval>, odd or 0"     also odd or zero (a kernel width that keeps the length)
// Every number must also be finite. Rules that tie keys together (d_model divisible by heads, warm-up
// within the steps, min <= max of a generator's bounds, ...) are checked in the same pass.
#include <functional>
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

class ValueRange {
 public:
  // UserError naming `where` when the text is not one of the forms above.
  static ValueRange parse(const std::string& text, const std::string& where);

  bool contains(const Json& value) const;
  const std::string& text() const { return text_; }
  // The nearest values just outside the range (for tests): below the lower and above the upper bound;
  // for an integer key, the next integers.
  std::vector<double> just_outside(bool integer = false) const;
  bool is_set() const { return !set_.empty(); }

 private:
  std::string text_;
  double low_ = -1e308, high_ = 1e308;
  bool low_closed_ = true, high_closed_ = true;
  bool has_low_ = false, has_high_ = false;
  std::vector<std::string> set_;  // "one of": the members as written
  bool odd_or_zero_ = false;
};

// The value at a dotted key path ("model.attention.k"), or nullptr.
const Json* at_path(const Json& config, const std::string& path);

// key path -> range, from the "ranges" section of defaults.json (`source` names the file for errors).
std::vector<std::pair<std::string, ValueRange>> parse_ranges(const Json& ranges, const std::string& source);

// Every declared range of a config folder ("" = default_config_dir()): defaults.json's and each model
// file's (configs/models/*.json) (defined in config.cpp, which reads model files).
std::vector<std::pair<std::string, ValueRange>> declared_ranges(const std::string& config_dir);

// Checks every declared key present in `config` and the rules between keys. `source_of(path)` names the
// layer that set a key (a file, or "--set k=v"). The first violation is a UserError naming the key,
// its value, the valid range and that layer.
void validate_config(const Json& config, const std::vector<std::pair<std::string, ValueRange>>& ranges,
                     const std::function<std::string(const std::string&)>& source_of);

}  // namespace lra
