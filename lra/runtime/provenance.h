#pragma once
// Which build and which host produced a file: the parts of a run report's provenance that need no
// libtorch, so the readers of reports (report, plot, plan, their fuzz target) stay torch-free.
#include <string>

namespace lra {

const char* lra_version();     // generated at build time (scripts/version_stamp.cmake)
const char* lra_git_commit();  // short hash, "-dirty" when the tree had uncommitted changes

std::string hostname();  // this machine's host name, "unknown" when it cannot be read

// The current UTC time formatted with strftime's `format` (e.g. "%Y-%m-%dT%H:%M:%SZ").
std::string utc_time(const char* format);

}  // namespace lra
