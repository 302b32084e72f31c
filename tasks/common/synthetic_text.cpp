#include "tasks/common/synthetic_text.h"

#include <algorithm>

#include "core/errors.h"

namespace lra::data {

const std::vector<std::string>& filler_words() {
  static const std::vector<std::string> words{
      "a",       "an",       "the",     "of",      "to",      "in",       "on",       "at",      "by",
      "for",     "with",     "from",    "and",     "or",      "but",      "then",     "so",      "as",
      "it",      "he",       "she",     "they",    "we",      "this",     "that",     "there",   "here",
      "is",      "was",      "are",     "were",    "has",     "had",      "will",     "would",   "could",
      "film",    "movie",    "scene",   "scenes",  "actor",   "actress",  "cast",     "role",    "plot",
      "story",   "camera",   "director", "script", "ending",  "opening",  "sequence", "minute",  "hour",
      "night",   "morning",  "city",    "house",   "street",  "room",     "door",     "window",  "car",
      "train",   "letter",   "phone",   "friend",  "brother", "sister",   "mother",   "father",  "family",
      "walks",   "talks",    "looks",   "turns",   "opens",   "leaves",   "returns",  "meets",   "waits",
      "after",   "before",   "during",  "while",   "later",   "again",    "early",    "late",    "once",
      "second",  "third",    "first",   "last",    "next",    "other",    "another",  "some",    "many",
      "shot",    "frame",    "sound",   "music",   "dialogue", "version", "release",  "studio",  "screen"};
  return words;
}

size_t longest(const std::vector<std::string>& words) {
  size_t n = 0;
  for (const auto& w : words) n = std::max(n, w.size());
  return n;
}

size_t minimum_length(const std::vector<std::string>& key_words) {
  size_t n = 1;  // one filler word ("a")
  for (const auto& w : key_words) n += w.size() + 1;
  return n;
}

std::string compose_document(Rng& rng, size_t length, const std::vector<std::string>& key_words) {
  if (length < minimum_length(key_words))
    throw UserError("synthetic document of " + std::to_string(length) + " bytes cannot hold its " +
                    std::to_string(key_words.size()) + " key words (needs " +
                    std::to_string(minimum_length(key_words)) + "); raise task.generate.min_bytes");
  const auto& vocabulary = filler_words();
  // Filler of exactly `budget` bytes (words joined by spaces); each key word later adds itself + a space.
  const size_t budget = length - (minimum_length(key_words) - 1);
  std::vector<std::string> words;
  size_t used = 0;  // bytes of the words so far, separators included
  while (true) {
    const size_t separator = words.empty() ? 0 : 1;
    if (used + separator >= budget) break;
    const size_t room = budget - used - separator;  // >= 1
    std::string word = vocabulary[uniform_below(rng, vocabulary.size())];
    if (uniform01(rng) < 0.08) word += '.';
    if (word.size() > room) {  // near the end: a random filler word that fits, else "a"
      std::vector<const std::string*> fitting;
      for (const auto& w : vocabulary)
        if (w.size() <= room) fitting.push_back(&w);
      word = *fitting[uniform_below(rng, fitting.size())];
    }
    used += separator + word.size();
    words.push_back(std::move(word));
  }
  if (used < budget) words.back() += '.';  // a gap of one byte: no room for a space and a word
  for (const auto& key : key_words)
    words.insert(words.begin() + static_cast<std::ptrdiff_t>(uniform_below(rng, words.size() + 1)), key);
  std::string text;
  text.reserve(length);
  for (size_t i = 0; i < words.size(); ++i) text += (i ? " " : "") + words[i];
  return text;
}

}  // namespace lra::data
