// Text substitute: sentiment carried by a few cue words scattered through neutral filler.
#include <algorithm>
#include <filesystem>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/kernel_docs.h"
#include "tasks/common/random.h"
#include "tasks/common/synthetic_text.h"
#include "tasks/text/text.h"

namespace lra {

const std::vector<std::string>& text_cue_words(int label) {
  static const std::vector<std::string> negative{"awful",    "dreadful", "tedious", "clumsy",
                                                 "terrible", "boring",   "lifeless", "pointless"};
  static const std::vector<std::string> positive{"excellent",  "wonderful", "superb",   "brilliant",
                                                 "delightful", "masterful", "gripping", "charming"};
  return label ? positive : negative;
}

namespace {

struct Parameters {
  int64_t min_bytes, max_bytes, max_cues, min_margin;
};

// One review of class `label`: majority cues of its class, at least min_margin fewer of the other, in
// random order.
std::string review(data::Rng& rng, const Parameters& p, int label) {
  const int64_t majority = data::uniform_int(rng, p.min_margin, p.max_cues);
  const int64_t minority = data::uniform_int(rng, 0, majority - p.min_margin);
  std::vector<std::string> cues;
  for (int64_t i = 0; i < majority + minority; ++i) {
    const auto& words = text_cue_words(i < majority ? label : 1 - label);
    cues.push_back(words[data::uniform_below(rng, words.size())]);
  }
  const auto length = static_cast<size_t>(data::uniform_int(rng, p.min_bytes, p.max_bytes));
  return data::compose_document(rng, length, cues);
}

}  // namespace

void generate_text(const std::string& data_dir, const nlohmann::json& task, uint64_t seed) {
  if (data::kernel_docs_source(task, "Text")) return generate_text_kernel_docs(data_dir, task, seed);
  const int64_t counts[2] = {data::get_int(task, "generate", "train"), data::get_int(task, "generate", "test")};
  const Parameters p{data::get_int(task, "generate", "min_bytes"), data::get_int(task, "generate", "max_bytes"),
                     data::get_int(task, "generate", "max_cues"), data::get_int(task, "generate", "min_margin")};
  for (int64_t c : counts)
    if (c < 2) throw UserError("task.generate.{train,test} must be >= 2 for text (one review per class)");
  if (p.max_cues < 1) throw UserError("task.generate.max_cues must be >= 1");
  if (p.min_margin < 1 || p.min_margin > p.max_cues)
    throw UserError("task.generate.min_margin must be in 1..max_cues (" + std::to_string(p.max_cues) + "), got " +
                    std::to_string(p.min_margin));
  const size_t cue_length = std::max(data::longest(text_cue_words(0)), data::longest(text_cue_words(1)));
  const auto needed = static_cast<int64_t>(data::minimum_length(
      std::vector<std::string>(static_cast<size_t>(2 * p.max_cues - 1), std::string(cue_length, 'x'))));
  if (p.min_bytes < needed || p.max_bytes < p.min_bytes)
    throw UserError("task.generate: text reviews need min_bytes >= " + std::to_string(needed) + " for max_cues " +
                    std::to_string(p.max_cues) + " and max_bytes >= min_bytes; got min_bytes " +
                    std::to_string(p.min_bytes) + ", max_bytes " + std::to_string(p.max_bytes));

  data::StagingFolder staging(data_dir, data::get_string(task, "data", "folder"));
  data::Rng rng(seed);
  const char* const split_names[2] = {"train", "test"};
  nlohmann::json written;
  for (int split = 0; split < 2; ++split) {
    for (const char* label_folder : {"neg", "pos"})
      std::filesystem::create_directories(staging.path() + "/" + split_names[split] + "/" + label_folder);
    // Exactly balanced: n/2 positive reviews, the rest negative, in a random order.
    std::vector<int> labels(static_cast<size_t>(counts[split]));
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = i < labels.size() / 2 ? 1 : 0;
    data::shuffle_in_place(labels, rng);
    int64_t per_label[2] = {0, 0};
    for (size_t i = 0; i < labels.size(); ++i) {
      const int label = labels[i];
      // aclImdb names a review <id>_<rating>.txt: ratings 1-4 are negative, 7-10 positive.
      const int64_t rating = label ? data::uniform_int(rng, 7, 10) : data::uniform_int(rng, 1, 4);
      const std::string text = review(rng, p, label);
      data::write_file(staging.path() + "/" + split_names[split] + "/" + (label ? "pos/" : "neg/") +
                           std::to_string(i) + "_" + std::to_string(rating) + ".txt",
                       text);
      ++per_label[label];
    }
    written[split_names[split]] = {{"examples", counts[split]}, {"neg", per_label[0]}, {"pos", per_label[1]}};
  }
  nlohmann::json parameters = task["generate"];  // every key, so `lra data check` can compare them all
  parameters.erase("seed");
  parameters["negative_cues"] = text_cue_words(0);
  parameters["positive_cues"] = text_cue_words(1);
  staging.commit(data::dataset_json(
      "synthetic SUBSTITUTE for IMDB (not the LRA Text task)", "lra data generate --task text", parameters, seed,
      written, /*substitute=*/true,
      "Reviews of neutral filler words with min_margin..max_cues cue words of the label's class and at least "
      "min_margin fewer of the other, "
      "at random positions; the label is the majority cue class, so the whole review must be read. aclImdb layout."));
}

}  // namespace lra
