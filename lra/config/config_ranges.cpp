#include "lra/config/config_ranges.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "core/errors.h"

namespace lra {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  const auto end = s.find_last_not_of(" \t");
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

bool parse_number(const std::string& text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  size_t used = 0;
  try {
    out = std::stod(t, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == t.size() && std::isfinite(out);
}

std::string shown(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float() && !std::isfinite(v.get<double>()))  // JSON would print null
    return std::isnan(v.get<double>()) ? "nan" : (v.get<double>() > 0 ? "inf" : "-inf");
  return v.dump();
}

}  // namespace

const Json* at_path(const Json& config, const std::string& path) {
  const Json* node = &config;
  std::stringstream in(path);
  for (std::string part; std::getline(in, part, '.');) {
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
  }
  return node;
}

ValueRange ValueRange::parse(const std::string& raw, const std::string& where) {
  ValueRange r;
  r.text_ = trim(raw);
  const std::string& t = r.text_;
  auto bad = [&] {
    return UserError(where + ": bad range '" + printable(t, 100) +
                     "' (forms: >= a, > a, <= a, < a, [a, b], [a, b), (a, b], (a, b), one of x, y; a bound or "
                     "interval may end with \", odd or 0\")");
  };
  // "<range>, odd or 0": a kernel width that keeps the length (0 = none), e.g. a convolution's.
  static const std::string kOddOrZero = ", odd or 0";
  if (t.size() > kOddOrZero.size() && t.compare(t.size() - kOddOrZero.size(), kOddOrZero.size(), kOddOrZero) == 0) {
    ValueRange base = parse(t.substr(0, t.size() - kOddOrZero.size()), where);
    if (base.is_set()) throw bad();
    base.text_ = t;
    base.odd_or_zero_ = true;
    return base;
  }
  if (t.rfind("one of ", 0) == 0) {
    std::stringstream in(t.substr(7));
    for (std::string item; std::getline(in, item, ',');)
      if (!trim(item).empty()) r.set_.push_back(trim(item));
    if (r.set_.empty()) throw bad();
    return r;
  }
  for (const char* op : {">=", "<=", ">", "<"}) {
    const std::string o = op;
    if (t.rfind(o, 0) != 0) continue;
    double bound = 0;
    if (!parse_number(t.substr(o.size()), bound)) throw bad();
    if (o[0] == '>') r.has_low_ = true, r.low_ = bound, r.low_closed_ = o.size() == 2;
    else r.has_high_ = true, r.high_ = bound, r.high_closed_ = o.size() == 2;
    return r;
  }
  if (t.size() >= 5 && (t.front() == '[' || t.front() == '(') && (t.back() == ']' || t.back() == ')')) {
    const auto comma = t.find(',');
    if (comma == std::string::npos) throw bad();
    if (!parse_number(t.substr(1, comma - 1), r.low_) || !parse_number(t.substr(comma + 1, t.size() - comma - 2), r.high_) ||
        r.low_ > r.high_)
      throw bad();
    r.has_low_ = r.has_high_ = true;
    r.low_closed_ = t.front() == '[';
    r.high_closed_ = t.back() == ']';
    return r;
  }
  throw bad();
}

bool ValueRange::contains(const Json& value) const {
  if (is_set()) {
    for (const auto& member : set_) {
      if (value.is_string() && value.get<std::string>() == member) return true;
      double m = 0;
      if (value.is_number() && parse_number(member, m) && value.get<double>() == m) return true;
    }
    return false;
  }
  if (!value.is_number()) return false;
  // A JSON integer above INT64_MAX parses as unsigned and would wrap when read as int64.
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
  const double x = value.get<double>();
  if (!std::isfinite(x)) return false;
  if (has_low_ && (low_closed_ ? x < low_ : x <= low_)) return false;
  if (has_high_ && (high_closed_ ? x > high_ : x >= high_)) return false;
  if (odd_or_zero_ && x != 0 && std::fmod(std::fabs(x), 2.0) != 1.0) return false;
  // A 64-bit integer beyond double precision compares through its double; the bounds here are far below.
  return true;
}

std::vector<double> ValueRange::just_outside(bool integer) const {
  std::vector<double> out;
  if (is_set()) return out;
  auto step = [integer](double x) { return integer ? 1.0 : std::max(1e-6, std::fabs(x) * 1e-6); };
  if (has_low_) out.push_back(low_closed_ ? low_ - step(low_) : low_);
  if (has_high_) out.push_back(high_closed_ ? high_ + step(high_) : high_);
  return out;
}

std::vector<std::pair<std::string, ValueRange>> parse_ranges(const Json& ranges, const std::string& source) {
  std::vector<std::pair<std::string, ValueRange>> out;
  if (!ranges.is_object()) throw UserError(source + ": 'ranges' must be an object {key path: range}");
  for (auto it = ranges.begin(); it != ranges.end(); ++it) {
    if (!it.value().is_string())
      throw UserError(source + ": ranges." + it.key() + " must be a string such as \">= 1\" or \"[0, 1)\"");
    out.emplace_back(it.key(), ValueRange::parse(it.value().get<std::string>(), source + ": ranges." + it.key()));
  }
  return out;
}

void validate_config(const Json& config, const std::vector<std::pair<std::string, ValueRange>>& ranges,
                     const std::function<std::string(const std::string&)>& source_of) {
  auto origin = [&](const std::string& key) {
    const std::string s = source_of(key);
    return s.empty() ? std::string() : " (set by " + s + ")";
  };
  for (const auto& [key, range] : ranges) {
    const Json* value = at_path(config, key);
    if (!value) continue;
    if (!range.contains(*value))
      throw UserError(key + " = " + printable(shown(*value), 60) + " is out of range: it must be " +
                      (range.is_set() ? "" : "finite and ") + range.text() + origin(key) +
                      "; hint: --set " + key + "=<value in range> or fix that file");
  }
  // Rules between keys.
  auto integer = [&](const std::string& key) -> const Json* {
    const Json* v = at_path(config, key);
    return v && v->is_number_integer() ? v : nullptr;
  };
  auto number = [&](const std::string& key) -> const Json* {
    const Json* v = at_path(config, key);
    return v && v->is_number() ? v : nullptr;
  };
  auto rule = [&](bool ok, const std::string& key, const std::string& what) {
    if (!ok)
      throw UserError(key + " = " + shown(*at_path(config, key)) + ": " + what + origin(key) +
                      "; hint: change it with --set " + key + "=...");
  };
  // The ranges keep heads and downsample >= 1; the guards keep a defaults.json without them from dividing by 0.
  if (const Json *d = integer("model.d_model"), *h = integer("model.heads"); d && h && h->get<int64_t>() > 0)
    rule(d->get<int64_t>() % h->get<int64_t>() == 0, "model.d_model",
         "must be a multiple of model.heads = " + std::to_string(h->get<int64_t>()) + " (head width d_model / heads)");
  if (const Json *w = integer("train.warmup_steps"), *s = integer("train.steps"); w && s)
    rule(w->get<int64_t>() <= s->get<int64_t>(), "train.warmup_steps",
         "must not exceed train.steps = " + std::to_string(s->get<int64_t>()));
  if (const Json *m = number("train.min_lr"), *l = number("train.lr"); m && l)
    rule(m->get<double>() <= l->get<double>(), "train.min_lr", "must not exceed train.lr = " + l->dump());
  for (const auto& [low, high] : std::vector<std::pair<std::string, std::string>>{
           {"task.generate.min_length", "task.generate.max_length"},
           {"task.generate.min_bytes", "task.generate.max_bytes"},
           {"task.generate.min_topic_words", "task.generate.max_topic_words"},
           {"task.generate.min_margin", "task.generate.max_cues"}})
    if (const Json *a = integer(low), *b = integer(high); a && b)
      rule(a->get<int64_t>() <= b->get<int64_t>(), low, "must not exceed " + high + " = " + b->dump());
  if (const Json *r = integer("task.data.resolution"), *ds = integer("task.data.downsample"); r && ds && r->get<int64_t>() > 0 &&
                                                                                     ds->get<int64_t>() > 0)
    rule(r->get<int64_t>() % ds->get<int64_t>() == 0, "task.data.downsample",
         "must divide task.data.resolution = " + r->dump());
}

}  // namespace lra
