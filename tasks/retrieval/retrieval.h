#pragma once
// Retrieval (AAN citation pairs as bytes), 2 classes, two documents per example.
// Layout: <data_dir>/<task.data.folder>/new_aan_pairs.{train,eval,test}.tsv, no header, 5 tab-separated
// columns: label id1 id2 text1 text2; the label parses as a float and must be 0 or 1. Each text is cut
// to its first 10,000 bytes (official), then to task.max_len - 1 tokens; id = byte + 1. Bytes are bytes:
// no UTF-8 check, only the TSV structure (5 columns, label 0/1) is validated.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"

namespace lra {

TaskSplits load_retrieval(const std::string& data_dir, const nlohmann::json& task,
                      SplitsToRead which = SplitsToRead::all);

// A synthetic SUBSTITUTE in the AAN TSV layout (the AAN texts are not available offline): every
// document has a latent topic, expressed only by min_topic_words..max_topic_words topic words
// scattered through min_bytes..max_bytes of neutral filler; label 1 = both documents share the topic,
// 0 = different topics. Labels are balanced. task.generate.{train, val, test, min_bytes, max_bytes,
// topics, min_topic_words, max_topic_words}.
void generate_retrieval(const std::string& data_dir, const nlohmann::json& task, uint64_t seed);

// A real-text SUBSTITUTE (task.generate.source = "kernel-docs", which generate_retrieval dispatches
// to): pairs of the Linux kernel's documentation files, label 1 when one links to the other
// (tasks/common/kernel_docs.h); task.generate.{kernel_docs_dir, min_bytes, max_bytes}.
void generate_retrieval_kernel_docs(const std::string& data_dir, const nlohmann::json& task, uint64_t seed);

// The words of topic t (0 <= t < retrieval_topic_count()).
const std::vector<std::string>& retrieval_topic_words(size_t topic);
size_t retrieval_topic_count();

}  // namespace lra
