#include "tasks/common/data_fingerprint.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/sha256.h"

namespace lra::data {

namespace fs = std::filesystem;

namespace {

// What says a file is unchanged since it was hashed: a rewrite changes mtime or size, a rename over it the
// inode, and anything that sets mtime back (cp -p, touch -r) still moves ctime.
struct FileState {
  int64_t size = 0, mtime_ns = 0, ctime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileState& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns && inode == o.inode;
  }
};

struct ListedFile {
  std::string relative;  // '/'-separated, from the folder
  std::string path;
  FileState state;
  std::string sha256;
};

bool hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

std::vector<ListedFile> list_files(const std::string& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error))
    throw UserError(folder + ": no such data folder (nothing to fingerprint); hint: generate the data with 'lra data "
                    "generate' or point --data-dir at the LRA release");
  std::vector<ListedFile> files;
  const fs::path root(folder);
  fs::recursive_directory_iterator it(root, fs::directory_options::follow_directory_symlink, error), end;
  for (; !error && it != end; it.increment(error)) {
    if (hidden(it->path())) {
      std::error_code ignored;
      if (it->is_directory(ignored)) it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // folders are descended
    ListedFile file;
    file.relative = it->path().lexically_relative(root).generic_string();
    file.path = it->path().string();
    file.state = {static_cast<int64_t>(st.st_size),
                  static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                  static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec,
                  static_cast<uint64_t>(st.st_ino)};
    files.push_back(std::move(file));
  }
  if (error) throw UserError(folder + ": cannot be listed (" + error.message() + ")");
  std::sort(files.begin(), files.end(),
            [](const ListedFile& a, const ListedFile& b) { return a.relative < b.relative; });
  return files;
}

// Cache file candidates: beside the data first, then the user's cache folder.
std::vector<std::string> cache_paths(const std::string& folder) {
  std::vector<std::string> paths{(fs::path(folder) / kFingerprintCacheName).string()};
  std::string base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) base = std::string(home) + "/.cache";
  if (!base.empty()) {
    std::error_code error;
    const fs::path absolute = fs::weakly_canonical(fs::absolute(folder), error);
    paths.push_back(base + "/lra/fingerprints/" + sha256_hex(absolute.string()).substr(0, 32) + ".tsv");
  }
  return paths;
}

constexpr const char* kCacheHeader = "lra-data-fingerprint-cache 1";

// relative path -> (state, SHA-256) from the first cache that reads; empty when none does. A damaged cache
// line is skipped: the file is then hashed again.
std::map<std::string, std::pair<FileState, std::string>> read_cache(const std::vector<std::string>& paths) {
  std::map<std::string, std::pair<FileState, std::string>> cache;
  for (const auto& path : paths) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) continue;
    std::string text;
    try {
      text = read_text_file(path);
    } catch (const UserError&) {
      continue;
    }
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line) || line != kCacheHeader) continue;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sha, relative;
      FileState state;
      if (!(fields >> sha >> state.size >> state.mtime_ns >> state.ctime_ns >> state.inode) || sha.size() != 64) continue;
      fields.get();  // the tab before the path, which may hold spaces
      if (!std::getline(fields, relative) || relative.empty()) continue;
      cache[relative] = {state, sha};
    }
    return cache;
  }
  return cache;
}

void write_cache(const std::vector<std::string>& paths, const std::vector<ListedFile>& files) {
  std::ostringstream out;
  out << kCacheHeader << "\n";
  for (const auto& f : files)
    if (f.relative.find_first_of("\t\r\n") == std::string::npos)  // such a name is hashed every time
      out << f.sha256 << '\t' << f.state.size << '\t' << f.state.mtime_ns << '\t' << f.state.ctime_ns << '\t'
          << f.state.inode << '\t' << f.relative << '\n';
  for (const auto& path : paths) {
    try {
      write_text_atomically(path, out.str());
      return;
    } catch (const std::exception&) {
      // read-only here: try the next place
    }
  }
}

// Hashes the files at `todo` (indices into files) on a few threads: reading is often the slow part.
void hash_files(std::vector<ListedFile>& files, const std::vector<size_t>& todo) {
  if (todo.empty()) return;
  const size_t threads = std::min<size_t>({todo.size(), 4, std::max(1u, std::thread::hardware_concurrency())});
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::exception_ptr failure;
  auto work = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      try {
        ListedFile& file = files[todo[i]];
        file.sha256 = file_sha256(file.path);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

std::string listing_line(const ListedFile& f) {
  return f.relative + '\t' + std::to_string(f.state.size) + '\t' + f.sha256 + '\n';
}

// A digest per file, or per top-level entry when there are more files than kNamedParts; none when even
// the top-level entries are more than that (a flat folder of many files: then only the counts name it).
std::map<std::string, std::string> parts_of(const std::vector<ListedFile>& files) {
  std::map<std::string, std::string> parts;
  if (static_cast<int64_t>(files.size()) <= kNamedParts) {
    for (const auto& f : files) parts[f.relative] = f.sha256;
    return parts;
  }
  std::map<std::string, std::string> listings;
  for (const auto& f : files) {
    const auto slash = f.relative.find('/');
    listings[slash == std::string::npos ? f.relative : f.relative.substr(0, slash + 1)] += listing_line(f);
  }
  if (static_cast<int64_t>(listings.size()) > kNamedParts) return parts;
  for (const auto& [entry, listing] : listings) parts[entry] = sha256_hex(listing);
  return parts;
}

std::string short_digest(const nlohmann::json& fingerprint) {
  const nlohmann::json sha = fingerprint.value("sha256", nlohmann::json(""));
  return sha.is_string() ? sha.get<std::string>().substr(0, 12) : "?";
}

std::string count_text(const nlohmann::json& fingerprint) {
  return fingerprint.value("files", nlohmann::json("?")).dump() + " files, " +
         fingerprint.value("bytes", nlohmann::json("?")).dump() + " bytes";
}

}  // namespace

nlohmann::json DataFingerprint::to_json() const {
  return {{"folder", folder}, {"sha256", sha256}, {"files", files}, {"bytes", bytes}, {"parts", parts}};
}

DataFingerprint fingerprint_folder(const std::string& folder) {
  std::vector<ListedFile> files = list_files(folder);
  const std::vector<std::string> caches = cache_paths(folder);
  const auto cache = read_cache(caches);
  std::vector<size_t> todo;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto hit = cache.find(files[i].relative);
    if (hit != cache.end() && hit->second.first == files[i].state) files[i].sha256 = hit->second.second;
    else todo.push_back(i);
  }
  hash_files(files, todo);

  DataFingerprint fingerprint;
  fingerprint.folder = folder;
  std::string listing;
  for (const auto& f : files) {
    listing += listing_line(f);
    fingerprint.bytes += f.state.size;
  }
  fingerprint.files = static_cast<int64_t>(files.size());
  fingerprint.sha256 = sha256_hex(listing);
  fingerprint.parts = parts_of(files);
  for (size_t i : todo) fingerprint.hashed_bytes += files[i].state.size;
  fingerprint.hashed_files = static_cast<int64_t>(todo.size());
  if (!todo.empty() || cache.size() != files.size()) write_cache(caches, files);
  return fingerprint;
}

std::string fingerprint_difference(const nlohmann::json& was, const nlohmann::json& now) {
  const nlohmann::json digest = was.value("sha256", nlohmann::json());
  if (digest.is_string() && digest == now.value("sha256", nlohmann::json())) return "";
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& a = was.contains("parts") && was["parts"].is_object() ? was["parts"] : empty;
  const nlohmann::json& b = now.contains("parts") && now["parts"].is_object() ? now["parts"] : empty;
  std::vector<std::string> differences;  // in path order
  if (!a.empty() && !b.empty()) {
    std::set<std::string> paths;
    for (const auto* parts : {&a, &b})
      for (auto it = parts->begin(); it != parts->end(); ++it) paths.insert(it.key());
    for (const auto& path : paths) {
      if (!b.contains(path)) differences.push_back(path + " is gone");
      else if (!a.contains(path)) differences.push_back(path + " is new");
      else if (a[path] != b[path]) differences.push_back(path + " changed");
    }
  }
  std::string what = differences.empty() ? "its files differ" : "";
  constexpr size_t kNamed = 3;
  for (size_t i = 0; i < differences.size() && i < kNamed; ++i) what += (i ? ", " : "") + differences[i];
  if (differences.size() > kNamed) what += " and " + std::to_string(differences.size() - kNamed) + " more";
  return what + " (now " + count_text(now) + ", fingerprint " + short_digest(now) + "; was " + count_text(was) +
         ", fingerprint " + short_digest(was) + ")";
}

}  // namespace lra::data
