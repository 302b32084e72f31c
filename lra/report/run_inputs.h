#pragma once
// A run is named by what made it (DESIGN.md): its resolved config, its data (a content fingerprint,
// tasks/common/data_fingerprint.h), its model source (a TorchScript file's SHA-256) and the lra commit.
// Run reports and checkpoints record them as "inputs":
//   {"config_sha256":          SHA-256 of the run's config (the report's "config"),
//    "resolved_config_sha256": SHA-256 of the config as lra train/pretrain resolved it from the files and
//                              flags, before --init-from or pretraining adjust it (what a sweep manifest holds),
//    "manifest_config_sha256": the manifest line's, when lra sweep started the run,
//    "data":                   the fingerprint {folder, sha256, files, bytes, parts},
//    "model_source":           {file, sha256} of a script model, null for built-in models,
//    "lra_commit":             the commit of the binary}
// --reuse, --resume, lra eval, --init-from and lra sweep compare what they are about to use with that record.
// A difference is named in one line; each command either starts anew (--reuse) or refuses unless the user
// accepts it with --accept-changed, which the run report then records under "accepted_changes".
#include <set>
#include <string>
#include <vector>

#include "lra/config/config.h"

namespace lra {

// The kinds of input, as --accept-changed names them.
inline constexpr const char* kInputConfig = "config";
inline constexpr const char* kInputData = "data";
inline constexpr const char* kInputModel = "model";
inline constexpr const char* kInputCommit = "commit";

// The inputs of a run of `config` on the data under data_dir now (fingerprints the task's data folder).
// resolved_config_sha256: "" = the config's own.
Json current_inputs(const Json& config, const std::string& data_dir, const std::string& resolved_config_sha256 = "");

// sha256 of config.dump(): the hash a sweep manifest and "inputs" use.
std::string config_sha256(const Json& config);

struct InputChange {
  std::string input;  // config | data | model | commit
  std::string what;   // one line: which key or file, old and new
};

// The inputs among `compared` that differ between a record (a report's or checkpoint's config and "inputs";
// either may be null in files written before inputs were recorded) and now. An input the record lacks counts
// as changed ("not recorded"): a number is never attached to inputs that did not make it.
std::vector<InputChange> changed_inputs(const Json& recorded_config, const Json& recorded_inputs,
                                        const Json& config_now, const Json& inputs_now,
                                        const std::set<std::string>& compared);

// The first difference of two configs for one line of output: "key train.lr was 0.001, now 0.002" (values
// shortened, "(absent)" for a missing key); "" when equal.
std::string first_difference_text(const Json& was, const Json& now);

// "config, data" -> {"config", "data"}; UserError naming the flag and the known kinds otherwise.
std::set<std::string> parse_accepted_changes(const std::string& list);

// The changes not in `accepted`; the accepted ones are appended to `record` as {"input", "what"} (once each).
std::vector<InputChange> refuse_unless_accepted(const std::vector<InputChange>& changes,
                                                const std::set<std::string>& accepted, Json& record);

// One line for the user: "the data differs: ...; the config differs: ...".
std::string describe_changes(const std::vector<InputChange>& changes);

// A script model's module file is kept beside its run, content-addressed: <run folder>/model-source/<sha256>.pt,
// so that the checkpoints of a finished run stay evaluable with the module their weights belong to after the
// file is moved or overwritten. A checkpoint at <run folder>/checkpoints/<run id>/<name>.ckpt finds it there.
std::string kept_model_source_path(const std::string& run_folder, const std::string& sha256);
std::string kept_model_source_for_checkpoint(const std::string& checkpoint_path, const std::string& sha256);
// Copies model_source.file there unless a copy exists; UserError when the file no longer has model_source.sha256.
void keep_model_source(const std::string& run_folder, const Json& model_source);

// "--accept-changed data,model" for these changes.
std::string accept_flag_for(const std::vector<InputChange>& changes);

}  // namespace lra
