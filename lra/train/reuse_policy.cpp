#include "lra/train/reuse_policy.h"

#include <cstdio>
#include <filesystem>

#include "lra/report/run_inputs.h"
#include "lra/report/run_report.h"

namespace lra {

ReuseOutcome reuse_earlier_run(const Json& config, TrainOptions& options) {
  const std::string latest = options.out_dir + "/latest.json";
  if (!std::filesystem::exists(latest)) return {false, ""};
  const RunReportFile file = read_run_report(latest);
  if (!file.problem.empty()) {
    std::fprintf(stderr, "lra: NOTE: %s cannot be used to reuse or resume a run: %s. Starting a new run\n",
                 latest.c_str(), file.problem.c_str());
    return {false, ""};
  }
  const Json& earlier = file.report;
  const std::string run_id = earlier["run_id"];
  const std::string status =
      earlier.contains("status") && earlier["status"].is_string() ? earlier["status"].get<std::string>() : "?";
  const Json inputs = current_inputs(config, options.data_dir, options.resolved_config_sha256);
  const ReuseDecision decision = reuse_decision(earlier, config, inputs, options.data_dir);
  if (!decision.same_run) {
    std::fprintf(stderr,
                 "lra: NOTE: %s holds run %s (%s), which is NOT reused: %s. Starting a new run; the earlier report "
                 "stays as %s/%s.json\n",
                 options.out_dir.c_str(), run_id.c_str(), status.c_str(), decision.reason.c_str(),
                 options.out_dir.c_str(), run_id.c_str());
    return {false, ""};
  }
  if (status == "completed" || status == "diverged") {
    std::fprintf(stderr,
                 "lra: %s: run %s (%s) was made by this commit with this config and data (fingerprint %s of %s); "
                 "reused, not re-run\n",
                 options.out_dir.c_str(), run_id.c_str(), status.c_str(),
                 inputs["data"]["sha256"].get<std::string>().substr(0, 12).c_str(),
                 inputs["data"]["folder"].get<std::string>().c_str());
    const Json accuracy =
        earlier.contains("accuracy") && earlier["accuracy"].is_object() ? earlier["accuracy"] : Json::object();
    if (accuracy.contains("final") && accuracy["final"].is_object() && accuracy.contains("best_val") &&
        accuracy["best_val"].is_object())
      std::fprintf(stderr, "test accuracy: final %f, best-val %f (reused)\n",
                   accuracy["final"].value("test", 0.0), accuracy["best_val"].value("test", 0.0));
    return {true, status};
  }
  // An interrupted or killed run continues from its last checkpoint (or starts over without one); a failed
  // one only when it has a checkpoint (its report counts steps that no checkpoint holds otherwise).
  const bool has_checkpoint = earlier.contains("checkpoints") && earlier["checkpoints"].is_object() &&
                              earlier["checkpoints"].contains("last") && earlier["checkpoints"]["last"].is_string() &&
                              std::filesystem::exists(earlier["checkpoints"]["last"].get<std::string>());
  if (status == "interrupted" || status == "running" || (status == "failed" && has_checkpoint)) options.resume = true;
  return {false, status};
}

}  // namespace lra
