#include "tasks/common/kernel_docs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "core/errors.h"
#include "tasks/common/data_files.h"
#include "tasks/common/random.h"

namespace lra::data {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxDocumentBytes = size_t{16} << 20;  // the largest kernel document is ~1 MB

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

// "a/b/../c/./d" -> "a/c/d"; "" when it climbs above the root.
std::string normalise(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string directory_of(const std::string& id) {
  const size_t slash = id.rfind('/');
  return slash == std::string::npos ? "" : id.substr(0, slash);
}

// A role's content "Title <target>" -> {title, target}; "target" -> {"", target}.
std::pair<std::string, std::string> split_role(const std::string& content) {
  const size_t open = content.rfind('<');
  if (!content.empty() && content.back() == '>' && open != std::string::npos)
    return {trim(content.substr(0, open)), trim(content.substr(open + 1, content.size() - open - 2))};
  return {"", trim(content)};
}

// Calls fn(role, content, begin, end) for every :doc:`...` / :ref:`...` in text ([begin, end) = the
// whole role with its backticks).
template <typename Fn>
void for_each_role(const std::string& text, Fn fn) {
  for (size_t at = text.find(":`"); at != std::string::npos; at = text.find(":`", at + 2)) {
    for (const char* role : {"doc", "ref"}) {
      if (at < 4 || text.compare(at - 4, 4, std::string(":") + role) != 0) continue;
      const size_t close = text.find('`', at + 2);
      if (close == std::string::npos) return;
      fn(std::string(role), text.substr(at + 2, close - at - 2), at - 4, close + 1);
    }
  }
}

bool path_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/'; }

// Calls fn(path_without_extension, begin, end) for every "Documentation/<path>" mention.
template <typename Fn>
void for_each_path(const std::string& text, Fn fn) {
  const std::string prefix = "Documentation/";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    size_t end = at + prefix.size();
    while (end < text.size() && path_char(text[end])) ++end;
    while (end > at + prefix.size() && (text[end - 1] == '.' || text[end - 1] == '/')) --end;  // sentence end
    std::string path = text.substr(at + prefix.size(), end - at - prefix.size());
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".rst") == 0) path.resize(path.size() - 4);
    fn(path, at, end);
  }
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

RstLinks extract_links(const std::string& rst, const std::string& doc_id) {
  RstLinks links;
  for_each_role(rst, [&](const std::string& role, const std::string& content, size_t, size_t) {
    const std::string target = split_role(content).second;
    if (target.empty()) return;
    if (role == "ref") return links.ref_labels.push_back(lower(target));
    const std::string path = target[0] == '/' ? normalise(target.substr(1)) : normalise(directory_of(doc_id) + "/" + target);
    if (!path.empty()) links.doc_targets.push_back(path);
  });
  for_each_path(rst, [&](const std::string& path, size_t, size_t) {
    const std::string normal = normalise(path);
    if (!normal.empty()) links.doc_targets.push_back(normal);
  });
  size_t start = 0;
  while (start < rst.size()) {
    const size_t end = std::min(rst.find('\n', start), rst.size());
    const std::string line = trim(rst.substr(start, end - start));
    if (starts_with(line, ".. _") && line.size() > 5 && line.back() == ':')
      links.anchors.push_back(lower(trim(line.substr(4, line.size() - 5))));
    start = end + 1;
  }
  return links;
}

std::string strip_link_markup(const std::string& rst) {
  // 1. Lines: anchors, include / SPDX comments and toctree blocks (the directive and its indented body).
  std::string kept;
  size_t start = 0;
  size_t toctree_indent = std::string::npos;  // set while inside a toctree block
  bool in_options = false;                      // just after a directive line
  while (start < rst.size()) {
    const size_t end = std::min(rst.find('\n', start), rst.size());
    const std::string line = rst.substr(start, end - start);
    start = end + 1;
    const std::string stripped = trim(line);
    const size_t indent = line.find_first_not_of(" \t");
    if (toctree_indent != std::string::npos) {
      if (stripped.empty() || (indent != std::string::npos && indent > toctree_indent)) continue;
      toctree_indent = std::string::npos;
    }
    if (starts_with(stripped, ".. toctree::")) {
      toctree_indent = indent;
      continue;
    }
    if ((starts_with(stripped, ".. _") && stripped.back() == ':') || starts_with(stripped, ".. SPDX-License-Identifier"))
      continue;
    // Any other directive line (".. c:namespace:: V4L", ".. kernel-doc:: include/...", ".. note::") and
    // its option lines (":internal:") go: they name subsystems and files. The directive's body stays.
    if (starts_with(stripped, ".. ") && stripped.find("::") != std::string::npos) {
      in_options = true;
      continue;
    }
    if (in_options && !stripped.empty() && stripped[0] == ':' && indent != std::string::npos && indent > 0) continue;
    in_options = false;
    kept += line + "\n";
  }
  // 2. Roles: keep a title, drop a bare target. 3. Documentation/... paths.
  std::string text;
  size_t copied = 0;
  for_each_role(kept, [&](const std::string&, const std::string& content, size_t begin, size_t end) {
    if (begin < copied) return;
    text += kept.substr(copied, begin - copied) + split_role(content).first;
    copied = end;
  });
  text += kept.substr(copied);
  std::string no_paths;
  copied = 0;
  for_each_path(text, [&](const std::string&, size_t begin, size_t end) {
    if (begin < copied) return;
    no_paths += text.substr(copied, begin - copied);
    copied = end;
  });
  no_paths += text.substr(copied);
  // 4. Whitespace runs -> one space.
  std::string out;
  out.reserve(no_paths.size());
  for (char c : no_paths) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string document_group(const std::string& id) {
  const size_t first = id.find('/');
  if (first == std::string::npos) return "";
  const size_t second = id.find('/', first + 1);
  return second == std::string::npos ? id.substr(0, first) : id.substr(0, second);
}

std::map<std::string, int> assign_groups(const std::map<std::string, double>& weight, const std::vector<double>& shares,
                                         uint64_t seed) {
  std::vector<std::string> order;
  double total = 0.0;
  for (const auto& [group, w] : weight) order.push_back(group), total += w;
  Rng rng(seed);
  shuffle_in_place(order, rng);
  // Heaviest first (ties in the seeded order): one folder can hold most of the weight (userspace-api/media
  // holds most of the kernel's intra-folder links), and taken late it would leave the small splits empty.
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& x, const std::string& y) { return weight.at(x) > weight.at(y); });
  std::vector<double> assigned(shares.size(), 0.0);
  std::map<std::string, int> split;
  for (const auto& group : order) {
    size_t best = 0;
    for (size_t s = 1; s < shares.size(); ++s)
      if (shares[s] * total - assigned[s] > shares[best] * total - assigned[best]) best = s;
    split[group] = static_cast<int>(best);
    assigned[best] += weight.at(group);
  }
  return split;
}

std::string cut_text(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // a continuation byte
  return text.substr(0, end);
}

KernelDocCorpus read_kernel_docs(const std::string& root, size_t min_bytes) {
  const std::string hint = "install Debian's linux-doc-6.1 (scripts/setup.sh does), or set task.generate.kernel_docs_dir";
  require_folder(root, hint);
  KernelDocCorpus corpus;
  corpus.root = root;
  std::map<std::string, std::string> raw;  // id -> rst, sorted by id
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (!it->is_regular_file()) continue;
    const std::string relative = fs::relative(it->path(), root).generic_string();
    std::string id;
    if (relative.size() > 7 && relative.compare(relative.size() - 7, 7, ".rst.gz") == 0) id = relative.substr(0, relative.size() - 7);
    else if (relative.size() > 4 && relative.compare(relative.size() - 4, 4, ".rst") == 0) id = relative.substr(0, relative.size() - 4);
    else continue;
    ++corpus.documents_read;
    if (starts_with(id, "translations/")) continue;
    raw[id] = read_gzip(it->path().string(), kMaxDocumentBytes, hint);
  }
  if (error) fail(root, "cannot list the folder: " + error.message(), hint);
  if (raw.empty()) fail(root, "holds no .rst or .rst.gz documents", hint);

  std::map<std::string, size_t> index;
  for (auto& [id, rst] : raw) {
    std::string text = strip_link_markup(rst);
    if (text.size() < min_bytes) continue;
    index[id] = corpus.ids.size();
    corpus.ids.push_back(id);
    corpus.texts.push_back(std::move(text));
  }
  std::map<std::string, size_t> anchor_owner;
  std::map<std::string, RstLinks> found;
  for (const auto& [id, rst] : raw) {
    found[id] = extract_links(rst, id);
    if (!index.count(id)) continue;
    for (const auto& anchor : found[id].anchors) anchor_owner.emplace(anchor, index[id]);
  }
  std::set<std::pair<size_t, size_t>> links;
  for (const auto& [id, l] : found) {
    if (!index.count(id)) continue;
    const size_t from = index[id];
    auto add = [&](size_t to) {
      if (to != from) links.insert({std::min(from, to), std::max(from, to)});
    };
    for (const auto& target : l.doc_targets)
      if (index.count(target)) add(index[target]);
    for (const auto& label : l.ref_labels)
      if (anchor_owner.count(label)) add(anchor_owner[label]);
  }
  corpus.links.assign(links.begin(), links.end());

  const std::string changelog = (fs::path(root).parent_path() / "changelog.Debian.gz").string();
  if (fs::exists(changelog)) {
    const std::string head = read_gzip(changelog, kMaxDocumentBytes, hint).substr(0, 200);
    const size_t open = head.find('('), close = head.find(')');
    if (open != std::string::npos && close != std::string::npos && close > open)
      corpus.package_version = head.substr(open + 1, close - open - 1);
  }
  return corpus;
}

bool kernel_docs_source(const nlohmann::json& task, const std::string& task_name) {
  const std::string source = has_key(task, "generate", "source") ? get_string(task, "generate", "source") : "synthetic";
  if (source != "synthetic" && source != "kernel-docs")
    throw UserError("task.generate.source '" + source + "' is not a " + task_name +
                    " source (known: synthetic, kernel-docs)");
  return source == "kernel-docs";
}

KernelDocCorpus read_kernel_docs_for_task(const nlohmann::json& task) {
  const int64_t min_bytes = get_int(task, "generate", "min_bytes");
  const int64_t max_bytes = get_int(task, "generate", "max_bytes");
  if (min_bytes < 1 || max_bytes < min_bytes)
    throw UserError("task.generate: the kernel-docs source needs 1 <= min_bytes <= max_bytes; got min_bytes " +
                    std::to_string(min_bytes) + ", max_bytes " + std::to_string(max_bytes));
  KernelDocCorpus corpus = read_kernel_docs(get_string(task, "generate", "kernel_docs_dir"), static_cast<size_t>(min_bytes));
  for (auto& text : corpus.texts) text = cut_text(text, static_cast<size_t>(max_bytes));
  return corpus;
}

nlohmann::json kernel_docs_dataset(const KernelDocCorpus& corpus, const nlohmann::json& task, uint64_t seed,
                                   const nlohmann::json& counts, const std::string& replaces,
                                   const std::string& task_name, const nlohmann::json& corpus_extra,
                                   const std::string& description) {
  nlohmann::json parameters = task["generate"];  // every key, so `lra data check` can compare them all
  parameters.erase("seed");
  nlohmann::json about = {{"documents_read", corpus.documents_read},
                          {"documents_kept", corpus.ids.size()},
                          {"package_version", corpus.package_version}};
  about.update(corpus_extra);
  parameters["corpus"] = about;
  nlohmann::json dataset = dataset_json(
      "real-text SUBSTITUTE for " + replaces + ": Linux kernel documentation (Debian linux-doc-6.1 " +
          corpus.package_version + ", not the LRA " + task_name + " task)",
      "lra data generate --task " + task.value("name", std::string("?")) + " --source kernel-docs", parameters, seed, counts,
      /*substitute=*/true,
      description + " Cleaning (tasks/common/kernel_docs.h): link markup (a titled link keeps its title), anchors, "
                    "toctrees, SPDX and other directive lines, and Documentation/ paths are removed; whitespace runs "
                    "become one space. Split by folder (a/b for deeper files): no document is in two splits.");
  dataset["real_text"] = true;
  return dataset;
}

}  // namespace lra::data
