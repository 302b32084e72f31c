#pragma once
// What a data folder holds, as one digest: the identity of the data a run read, so that --reuse, --resume,
// lra eval, --init-from and lra report can tell whether the files under a path are still the ones a number
// was made from (docs/reliability.md, "Pinned inputs").
//   sha256  over every file's relative path, size and SHA-256, in path order
//   parts   a digest per file when the folder holds at most kNamedParts files, else per top-level entry
//           (a file, or a folder with everything under it), so a difference can be named
// Names starting with '.' are left out at every depth: the cache below, a generator's staging folder,
// editor and OS droppings. Every file is read once; its SHA-256 is cached with its size, mtime, ctime and
// inode, so a later call only stats the files and reads those that changed. The cache is
// <folder>/.lra-fingerprint.tsv, or <$XDG_CACHE_HOME or ~/.cache>/lra/fingerprints/ when the folder is
// read-only; a cache that cannot be written costs only time.
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace lra::data {

inline constexpr int64_t kNamedParts = 64;
inline constexpr const char* kFingerprintCacheName = ".lra-fingerprint.tsv";

struct DataFingerprint {
  std::string folder;
  std::string sha256;
  int64_t files = 0;
  int64_t bytes = 0;
  std::map<std::string, std::string> parts;  // relative path (a folder ends in '/') -> SHA-256
  int64_t hashed_files = 0;                  // read this time (0: every digest came from the cache)
  int64_t hashed_bytes = 0;

  // {"folder", "sha256", "files", "bytes", "parts"}: what run reports and checkpoints record.
  nlohmann::json to_json() const;
};

// UserError naming the folder when it does not exist or cannot be listed, or a file in it cannot be read.
DataFingerprint fingerprint_folder(const std::string& folder);

// What differs between two recorded fingerprints ({"sha256", "files", "bytes", "parts"}), for one line of
// output: the parts added, removed or changed (the first three, in path order), and the counts; "" when the
// digests are equal.
std::string fingerprint_difference(const nlohmann::json& was, const nlohmann::json& now);

}  // namespace lra::data
