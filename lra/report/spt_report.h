#pragma once
// The self-pretraining section of `lra report`: for every (task, model) with fine-tuned (SPT) runs,
// the scratch row and the SPT row side by side, each with its mean ± 95% interval over seeds and the
// updates it trained (pretraining + fine-tuning), and the SPT gain (Welch's test of SPT minus scratch).
//
// summary.json "spt": {rows: [{task, model, scratch: {final, best_val, updates}, spt: {final, best_val,
//   updates, masked_token_accuracy}, gain: {difference, half_width, p_value, verdict}}]} (percent)
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

// null when no SPT run is among `runs`.
Json spt_comparison(const std::vector<Json>& runs, const std::vector<std::string>& tasks);
std::string spt_markdown(const Json& comparison);

}  // namespace lra
