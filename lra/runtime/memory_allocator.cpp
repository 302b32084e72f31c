#include "lra/runtime/memory_allocator.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/errors.h"

namespace lra {
namespace {

// Freed pages stay mapped for reuse until release_free_memory() (a phase boundary) returns them. Any
// finite decay time still purges (jemalloc 5.3 arena stats, three Luna-16 4K training steps): blocks
// >= 8 MiB live in a separate "huge" arena whose decay jemalloc sets to 0 whenever the default is > 0
// (2.6M pages, 10 GB, purged there with dirty_decay_ms:300000), and with that arena switched off
// (oversize_threshold) the main arena's decay purged as much under the step's churn of large blocks.
// Re-faulting them cost ~1.3 s of a 4.2 s step; -1 (never decay) stops both.
constexpr const char* kJemallocConf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
constexpr const char* kJemallocLibrary = "libjemalloc.so.2";

std::string& current_policy() {
  static std::string policy = "glibc";
  return policy;
}

char** reexec_argv = nullptr;

// An AddressSanitizer build owns malloc: a preloaded jemalloc would come before its runtime (ASan
// aborts at start-up), so such a build keeps ASan's allocator whatever the policy.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizerOwnsMalloc = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitizerOwnsMalloc = true;
#else
constexpr bool kSanitizerOwnsMalloc = false;
#endif
#else
constexpr bool kSanitizerOwnsMalloc = false;
#endif

// LD_LIBRARY_PATH's folders first, as the dynamic loader searches (a machine without the Debian package
// can carry the library, e.g. scripts/gpu_check.sh's build-deps/lib), then the system's.
std::string find_jemalloc() {
  std::vector<std::string> dirs;
  const char* library_path = std::getenv("LD_LIBRARY_PATH");
  std::istringstream entries(library_path ? library_path : "");
  for (std::string dir; std::getline(entries, dir, ':');)
    if (!dir.empty()) dirs.push_back(dir);
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                          "/usr/local/lib"})
    dirs.push_back(dir);
  for (const auto& dir : dirs) {
    const std::string path = dir + "/" + kJemallocLibrary;
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

// LD_PRELOAD without any jemalloc entry.
std::string preload_without_jemalloc() {
  const char* preload = std::getenv("LD_PRELOAD");
  std::istringstream entries(preload ? preload : "");
  std::string entry, kept;
  while (entries >> entry)
    if (entry.find("libjemalloc") == std::string::npos) kept += (kept.empty() ? "" : " ") + entry;
  return kept;
}

[[noreturn]] void reexec() {
  execv("/proc/self/exe", reexec_argv);
  throw std::runtime_error("could not re-execute /proc/self/exe to switch the memory allocator");
}

void apply_glibc_retain() {
  mallopt(M_MMAP_MAX, 0);              // large blocks come from the heap, not fresh mmaps
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // keep up to 1 GiB of free heap top instead of returning it
  mallopt(M_TOP_PAD, 64 << 20);        // grow the heap in 64 MiB steps
}

}  // namespace

bool jemalloc_active() { return dlsym(RTLD_DEFAULT, "mallctl") != nullptr; }

void allow_allocator_reexec(char** argv) { reexec_argv = argv; }

void configure_memory_allocator(const std::string& policy) {
  if (policy != "glibc" && policy != "retain" && policy != "jemalloc")
    throw UserError("unknown memory allocator policy '" + policy + "' (known: jemalloc, retain, glibc)");
  if (kSanitizerOwnsMalloc) {
    current_policy() = "AddressSanitizer's allocator (" + policy + " requested; sanitizer build)";
    return;
  }
  const bool active = jemalloc_active();
  if (policy == "jemalloc" && !active) {
    const std::string library = find_jemalloc();
    if (library.empty())
      throw UserError("runtime.allocator=jemalloc needs " + std::string(kJemallocLibrary) +
                      " (fix: sudo apt-get install libjemalloc2, or run scripts/setup.sh; or --set "
                      "runtime.allocator=retain)");
    if (reexec_argv) {
      const std::string others = preload_without_jemalloc();
      setenv("LD_PRELOAD", (library + (others.empty() ? "" : " " + others)).c_str(), 1);
      setenv("MALLOC_CONF", kJemallocConf, 1);
      reexec();
    }
    apply_glibc_retain();  // library use without re-exec: the closest glibc policy
    current_policy() = "retain (jemalloc requested; not loaded in this process)";
    return;
  }
  if (policy != "jemalloc" && active && reexec_argv && std::getenv("LD_PRELOAD")) {
    const std::string others = preload_without_jemalloc();
    if (others.empty()) unsetenv("LD_PRELOAD");
    else setenv("LD_PRELOAD", others.c_str(), 1);
    unsetenv("MALLOC_CONF");
    reexec();
  }
  if (policy == "retain" && !active) apply_glibc_retain();
  current_policy() = active ? "jemalloc" : policy;
}

bool release_free_memory() {
  if (kSanitizerOwnsMalloc) return false;
  if (jemalloc_active()) {
    using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
    const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
    return mallctl && mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0;  // 4096: every arena
  }
  malloc_trim(0);
  return true;
}

std::string memory_allocator_description() {
  const std::string& policy = current_policy();
  if (policy == "jemalloc" || jemalloc_active()) {
    using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
    const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
    const char* version = nullptr;
    size_t size = sizeof(version);
    std::string text = "jemalloc";
    if (mallctl && mallctl("version", &version, &size, nullptr, 0) == 0 && version) text += std::string(" ") + version;
    const char* conf = std::getenv("MALLOC_CONF");
    return text + " (" + (conf ? conf : "default options") + ")";
  }
  if (kSanitizerOwnsMalloc) return policy;
  if (policy.rfind("retain", 0) == 0) return "glibc malloc, " + policy + " (M_MMAP_MAX=0, M_TRIM_THRESHOLD=1GiB)";
  return "glibc malloc (defaults)";
}

}  // namespace lra
