#pragma once
// Building blocks of the Text and Retrieval substitutes: documents of neutral filler words with a few
// key words (sentiment cues, topic words) at uniformly random positions, so that the label depends on
// words scattered over the whole document and nowhere on its length or a fixed position.
#include <string>
#include <vector>

#include "tasks/common/random.h"

namespace lra::data {

// Neutral words (no sentiment, no topic), lengths 1..10, including "a" so any gap can be filled.
const std::vector<std::string>& filler_words();

// A document of exactly `length` bytes: filler words separated by single spaces (some ending a
// sentence with '.'), with every key word inserted at a uniformly random word position.
// Requires length >= minimum_length(key_words).
std::string compose_document(Rng& rng, size_t length, const std::vector<std::string>& key_words);

// The shortest length compose_document accepts for these key words (key words, spaces, one filler word).
size_t minimum_length(const std::vector<std::string>& key_words);

// Longest word in a list.
size_t longest(const std::vector<std::string>& words);

}  // namespace lra::data
