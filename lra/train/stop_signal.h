#pragma once
// SIGINT/SIGTERM during training: the run finishes its current step, checkpoints and stops (exit 130).

namespace lra {

// Installs the handlers for its lifetime (restoring the previous ones after) and clears the request.
class StopSignalScope {
 public:
  StopSignalScope();
  ~StopSignalScope();
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;
};

// Whether a stop was asked since the innermost scope began.
bool stop_requested();

}  // namespace lra
