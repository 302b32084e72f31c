#include "tasks/summary.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

namespace lra {
namespace {

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, pattern, a, b, c);
  return buffer;
}

void describe(std::ostringstream& out, const std::string& name, const Dataset& data, int64_t classes,
              int64_t max_document_tokens) {
  out << name << ": " << data.size() << " examples";
  if (data.docs_per_example > 1) out << " (" << data.documents() << " documents)";
  out << "\n  labels:";
  std::vector<int64_t> per_class(static_cast<size_t>(classes), 0);
  for (int32_t label : data.labels)
    if (label >= 0 && label < classes) ++per_class[static_cast<size_t>(label)];
  for (int64_t c = 0; c < classes; ++c)
    out << (c ? "," : "") << " " << c << ": " << per_class[static_cast<size_t>(c)]
        << format(" (%.1f%%)", data.size() ? 100.0 * static_cast<double>(per_class[static_cast<size_t>(c)]) /
                                                 static_cast<double>(data.size())
                                           : 0.0);
  out << "\n";
  if (data.documents() == 0) return;
  std::vector<int64_t> lengths(data.documents());
  for (size_t d = 0; d < data.documents(); ++d) lengths[d] = data.document_length(d);
  std::sort(lengths.begin(), lengths.end());
  const int64_t lo = lengths.front(), hi = lengths.back();
  const auto at_cut = std::count(lengths.begin(), lengths.end(), max_document_tokens);
  out << "  tokens per document: min " << lo << ", median " << lengths[lengths.size() / 2] << ", max " << hi;
  if (at_cut && lo < hi) out << " (" << at_cut << " at the max_len-1 = " << max_document_tokens << " limit; longer ones are cut)";
  out << "\n";
  const int64_t buckets = std::min<int64_t>(5, hi - lo + 1);
  const int64_t width = (hi - lo + buckets) / buckets;  // ceil((hi - lo + 1) / buckets)
  std::vector<int64_t> counts(static_cast<size_t>(buckets), 0);
  for (int64_t length : lengths) ++counts[static_cast<size_t>(std::min(buckets - 1, (length - lo) / width))];
  const int64_t most = *std::max_element(counts.begin(), counts.end());
  for (int64_t b = 0; b < buckets; ++b) {
    const int64_t first = lo + b * width, last = std::min(hi, first + width - 1);
    const int64_t n = counts[static_cast<size_t>(b)];
    out << format("    %6.0f-%-6.0f %8.0f ", static_cast<double>(first), static_cast<double>(last), static_cast<double>(n))
        << std::string(static_cast<size_t>(most ? 30 * n / most : 0), '#') << "\n";
  }
}

}  // namespace

std::string describe_splits(const TaskSplits& splits, int64_t classes, int64_t max_document_tokens) {
  std::ostringstream out;
  describe(out, "train", splits.train, classes, max_document_tokens);
  describe(out, "val", splits.val, classes, max_document_tokens);
  describe(out, "test", splits.test, classes, max_document_tokens);
  return out.str();
}

}  // namespace lra
