#pragma once
// SHA-256 digests as 64 lowercase hex digits (OpenSSL's libcrypto): a TorchScript mixer's file in its run
// reports, a sweep's resolved configs in its manifest, the files of a data folder (tasks/common/data_fingerprint.h).
#include <string>
#include <string_view>

namespace lra {

std::string sha256_hex(std::string_view bytes);

// The digest of a file's bytes, read in pieces; UserError when it cannot be read.
std::string file_sha256(const std::string& path);

}  // namespace lra
