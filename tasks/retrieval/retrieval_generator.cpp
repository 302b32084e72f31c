// Retrieval substitute: pairs of documents whose latent topic is carried by a few scattered words.
#include <algorithm>
#include <fstream>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/kernel_docs.h"
#include "tasks/common/random.h"
#include "tasks/common/synthetic_text.h"
#include "tasks/retrieval/retrieval.h"

namespace lra {

const std::vector<std::string>& retrieval_topic_words(size_t topic) {
  static const std::vector<std::vector<std::string>> topics{
      {"parser", "grammar", "treebank", "syntax", "clause", "constituent"},
      {"translation", "bilingual", "alignment", "decoder", "phrase", "reordering"},
      {"speech", "acoustic", "phoneme", "prosody", "recognizer", "utterance"},
      {"sentiment", "opinion", "polarity", "subjective", "review", "emotion"},
      {"lexicon", "wordnet", "synonym", "hypernym", "gloss", "thesaurus"},
      {"conversation", "utterer", "grounding", "agent", "intent", "slot"},
      {"corpus", "annotation", "annotator", "agreement", "kappa", "guideline"},
      {"summary", "summarizer", "extractive", "abstract", "salience", "redundancy"},
      {"entity", "coreference", "mention", "anaphora", "antecedent", "pronoun"},
      {"morphology", "stemmer", "suffix", "inflection", "lemma", "affix"},
      {"retrieval", "query", "ranking", "relevance", "index", "search"},
      {"semantic", "predicate", "argument", "entailment", "lambda", "logic"}};
  return topics.at(topic);
}

size_t retrieval_topic_count() { return 12; }

namespace {

struct Parameters {
  int64_t min_bytes, max_bytes, topics, min_topic_words, max_topic_words;
};

std::string document(data::Rng& rng, const Parameters& p, size_t topic) {
  const auto& vocabulary = retrieval_topic_words(topic);
  std::vector<std::string> key_words(static_cast<size_t>(data::uniform_int(rng, p.min_topic_words, p.max_topic_words)));
  for (auto& w : key_words) w = vocabulary[data::uniform_below(rng, vocabulary.size())];
  return data::compose_document(rng, static_cast<size_t>(data::uniform_int(rng, p.min_bytes, p.max_bytes)), key_words);
}

}  // namespace

void generate_retrieval(const std::string& data_dir, const nlohmann::json& task, uint64_t seed) {
  if (data::kernel_docs_source(task, "Retrieval")) return generate_retrieval_kernel_docs(data_dir, task, seed);
  const int64_t counts[3] = {data::get_int(task, "generate", "train"), data::get_int(task, "generate", "val"),
                             data::get_int(task, "generate", "test")};
  const Parameters p{data::get_int(task, "generate", "min_bytes"), data::get_int(task, "generate", "max_bytes"),
                     data::get_int(task, "generate", "topics"), data::get_int(task, "generate", "min_topic_words"),
                     data::get_int(task, "generate", "max_topic_words")};
  for (int64_t c : counts)
    if (c < 2) throw UserError("task.generate.{train,val,test} must be >= 2 for retrieval (one pair per class)");
  if (p.topics < 2 || p.topics > static_cast<int64_t>(retrieval_topic_count()))
    throw UserError("task.generate.topics must be in 2.." + std::to_string(retrieval_topic_count()) + ", got " +
                    std::to_string(p.topics));
  if (p.min_topic_words < 1 || p.max_topic_words < p.min_topic_words)
    throw UserError("task.generate: retrieval needs 1 <= min_topic_words <= max_topic_words");
  size_t topic_word_length = 0;
  for (size_t t = 0; t < retrieval_topic_count(); ++t)
    topic_word_length = std::max(topic_word_length, data::longest(retrieval_topic_words(t)));
  const auto needed = static_cast<int64_t>(data::minimum_length(
      std::vector<std::string>(static_cast<size_t>(p.max_topic_words), std::string(topic_word_length, 'x'))));
  if (p.min_bytes < needed || p.max_bytes < p.min_bytes)
    throw UserError("task.generate: retrieval documents need min_bytes >= " + std::to_string(needed) +
                    " for max_topic_words " + std::to_string(p.max_topic_words) +
                    " and max_bytes >= min_bytes; got min_bytes " + std::to_string(p.min_bytes) + ", max_bytes " +
                    std::to_string(p.max_bytes));

  data::StagingFolder staging(data_dir, data::get_string(task, "data", "folder"));
  data::Rng rng(seed);
  const char* const split_names[3] = {"train", "eval", "test"};
  nlohmann::json written;
  for (int split = 0; split < 3; ++split) {
    const std::string path = staging.path() + "/new_aan_pairs." + split_names[split] + ".tsv";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    // Exactly balanced: n/2 pairs share a topic, the rest do not, in a random order.
    std::vector<int> labels(static_cast<size_t>(counts[split]));
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = i < labels.size() / 2 ? 1 : 0;
    data::shuffle_in_place(labels, rng);
    int64_t positives = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
      const auto topics = static_cast<uint64_t>(p.topics);
      const size_t first = data::uniform_below(rng, topics);
      const size_t second = labels[i] ? first : (first + 1 + data::uniform_below(rng, topics - 1)) % topics;
      const std::string id = std::string("syn-") + split_names[split] + "-" + std::to_string(i);
      out << (labels[i] ? "1.0" : "0.0") << '\t' << id << "a\t" << id << "b\t" << document(rng, p, first) << '\t'
          << document(rng, p, second) << '\n';
      positives += labels[i];
    }
    out.flush();
    if (!out) throw UserError("cannot write " + path);
    written[split_names[split] == std::string("eval") ? "val" : split_names[split]] = {
        {"examples", counts[split]}, {"label_0", counts[split] - positives}, {"label_1", positives}};
  }
  nlohmann::json topic_words = nlohmann::json::array();
  for (int64_t t = 0; t < p.topics; ++t) topic_words.push_back(retrieval_topic_words(static_cast<size_t>(t)));
  nlohmann::json parameters = task["generate"];  // every key, so `lra data check` can compare them all
  parameters.erase("seed");
  parameters["topic_words"] = topic_words;
  staging.commit(data::dataset_json(
      "synthetic SUBSTITUTE for AAN (not the LRA Retrieval task)", "lra data generate --task retrieval", parameters,
      seed, written, /*substitute=*/true,
      "Document pairs of neutral filler with a few topic words each; label 1 when both documents have the same "
      "latent topic. AAN TSV layout (new_aan_pairs.{train,eval,test}.tsv)."));
}

}  // namespace lra
