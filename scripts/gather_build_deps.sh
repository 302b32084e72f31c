#!/usr/bin/env bash
# Copies the build dependencies a lent GPU machine lacks (it cannot install Debian packages):
# the header-only nlohmann/json, CLI11 and Catch2 with their CMake package files, and libpng + zlib
# headers and shared libraries, OpenSSL's (core/sha256) and gloo's headers (a pip libtorch may lack them;
# build_cuda.sh searches them after its own), into build-deps/ (ignored by git; pass it with the device
# tool's carry). scripts/build_cuda.sh uses it when LRA_DEPS_DIR points at it.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build-deps && mkdir -p build-deps/include build-deps/lib build-deps/share/cmake
cp -r /usr/include/nlohmann /usr/include/CLI /usr/include/catch2 build-deps/include/
cp /usr/include/png.h /usr/include/pngconf.h /usr/include/pnglibconf.h /usr/include/zlib.h /usr/include/zconf.h \
  build-deps/include/
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 /usr/lib/cmake/Catch2 build-deps/share/cmake/
cp -r /usr/include/openssl build-deps/include/
cp /usr/include/x86_64-linux-gnu/openssl/*.h build-deps/include/openssl/
mkdir -p build-deps/fallback-include && cp -r /usr/include/gloo build-deps/fallback-include/
cp -L /usr/lib/x86_64-linux-gnu/libpng16.so* /usr/lib/x86_64-linux-gnu/libz.so* \
  /usr/lib/x86_64-linux-gnu/libcrypto.so* /usr/lib/x86_64-linux-gnu/libssl.so* \
  /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 build-deps/lib/
du -sh build-deps
