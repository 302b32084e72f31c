#pragma once
// One split of a task, held compactly: every document's token ids in one uint16 buffer (vocabularies
// here are <= 259), not a vector of int64 per example. Ids: 0 = pad, 1..vocab_size-3 = symbols;
// MASK (vocab_size-2) is written only by self-pretraining's corruption and CLS (vocab_size-1) only by
// the batcher: neither is ever stored.
#include <cstdint>
#include <string>
#include <vector>

namespace lra {

struct Dataset {
  int docs_per_example = 1;          // 2 for pair tasks (Retrieval): example i = docs 2i, 2i+1
  std::vector<uint16_t> tokens;      // all documents, concatenated
  std::vector<int64_t> offsets{0};   // document d is tokens[offsets[d], offsets[d+1])
  std::vector<int32_t> labels;       // one per example
  std::vector<std::string> ids;      // one per example (file name, line number, ...), for predictions

  size_t size() const { return labels.size(); }
  size_t documents() const { return offsets.size() - 1; }
  int64_t document_length(size_t d) const { return offsets[d + 1] - offsets[d]; }
  const uint16_t* document(size_t d) const { return tokens.data() + offsets[d]; }

  // Appends one document's tokens (call docs_per_example times per example, then add_label).
  void add_document(const uint16_t* data, size_t length) {
    tokens.insert(tokens.end(), data, data + length);
    offsets.push_back(static_cast<int64_t>(tokens.size()));
  }
  void add_document(const std::vector<uint16_t>& doc) { add_document(doc.data(), doc.size()); }
  void add_label(int32_t label, std::string id) {
    labels.push_back(label);
    ids.push_back(std::move(id));
  }
  // Keeps only the first n examples (n = 0 keeps all).
  void truncate(size_t n);
};

// Which splits a loader reads. Self-pretraining reads the training inputs only: a loader asked for
// train_only never opens a file that holds only validation or test examples, and leaves those splits empty.
enum class SplitsToRead { all, train_only };

// The three splits a task provides, and where they came from (DATASET.json of generated data, or a
// description of the official files).
struct TaskSplits {
  Dataset train, val, test;
  std::string provenance_json = "{}";  // a JSON object, passed into every run report
};

}  // namespace lra
