#pragma once
// Text (IMDB reviews as bytes), 2 classes: neg = 0, pos = 1.
// Layout: <data_dir>/<task.data.folder>/{train,test}/{pos,neg}/*.txt (the aclImdb_v1 archive). Each
// file is one review; its bytes are its tokens (id = byte + 1; vocab 259 with pad 0, MASK 257 and CLS 258). Bytes
// are bytes: no UTF-8 check, no cleaning (the official ByteTextEncoder keeps "<br />" too).
// IMDB has no validation split. task.data.val_fraction = 0 uses the test split as validation, as the
// official pipeline does; a fraction > 0 holds out that share of train (picked with task.data.split_seed).
// Both splits are shuffled once with split_seed, so task.data.*_limit keeps a random, balanced subset.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"

namespace lra {

TaskSplits load_text(const std::string& data_dir, const nlohmann::json& task,
                      SplitsToRead which = SplitsToRead::all);

// A synthetic SUBSTITUTE in the aclImdb layout (no IMDB files can be downloaded here): each review is
// min_bytes..max_bytes of neutral filler words with a few positive and negative cue words scattered
// through it; the label is the cue class that occurs more often (majority min_margin..max_cues,
// minority at least min_margin fewer), so the whole review must be read. Labels are balanced.
// task.generate.{train, test, min_bytes, max_bytes, max_cues, min_margin}.
void generate_text(const std::string& data_dir, const nlohmann::json& task, uint64_t seed);

// A real-text SUBSTITUTE (task.generate.source = "kernel-docs", which generate_text dispatches to): whole
// Linux kernel documents, pos = the kernel_docs_positive folders, neg = the kernel_docs_negative ones
// (tasks/common/kernel_docs.h); task.generate.{kernel_docs_dir, min_bytes, max_bytes,
// kernel_docs_positive, kernel_docs_negative}.
void generate_text_kernel_docs(const std::string& data_dir, const nlohmann::json& task, uint64_t seed);

// The cue words of the substitute: index 0 = negative, 1 = positive.
const std::vector<std::string>& text_cue_words(int label);

}  // namespace lra
