#pragma once
// A sweep's manifest: one line per run, written by `lra plan --manifest` and walked by `lra sweep` (every
// line on this machine, one line per Slurm array task, or a --shard of the lines for any other engine).
// Tab-separated text, a header line first:
//   index task model seed protocol run_folder config_sha256 profile precision data_dir
// protocol: "scratch" (lra train) or "spt" (lra pretrain into pretrain-seed-<s>, then lra train
// --init-from it into spt-seed-<s>; one line, so no two lines ever write the same folder).
// run_folder is relative to the sweep folder, the manifest's folder's parent (<out>/sweep/manifest.tsv), so a
// finished sweep can be copied or moved whole; data_dir is as given to the plan (absolute from run_all.sh).
#include <string>
#include <vector>

namespace lra {

struct SweepRun {
  int index = 0;
  std::string task, model;
  int seed = 1;
  std::string protocol = "scratch";
  std::string run_folder;     // e.g. listops/luna-16/seed-1
  std::string config_sha256;  // of the config the run resolves to (lra train's, before it starts)
  std::string profile, precision, data_dir;
};

constexpr const char* kManifestHeader =
    "index\ttask\tmodel\tseed\tprotocol\trun_folder\tconfig_sha256\tprofile\tprecision\tdata_dir";

// <out>/sweep/manifest.tsv, and back: the sweep folder of a manifest path.
std::string manifest_path(const std::string& sweep_folder);
std::string sweep_folder_of(const std::string& manifest_path);

// The config a line planned, kept beside its manifest by `lra plan --manifest` (<manifest folder>/configs/
// <config_sha256>.json), so that lra sweep can name the key of a config edited after planning.
std::string planned_config_path(const std::string& manifest_path, const std::string& config_sha256);

// A model's folder name: its name with '/' and ':' as '_' (a script:<file.pt> model is one folder).
std::string model_folder_name(const std::string& model);
// The run folder of a line, relative to the sweep folder; the pretraining folder of an "spt" line.
std::string run_folder_for(const std::string& task, const std::string& model, int seed, const std::string& protocol);
std::string pretrain_folder_for(const SweepRun& run);

std::string manifest_text(const std::vector<SweepRun>& runs);
// Written to a temp file, then renamed. UserError if two lines share a run folder or a field holds a tab
// or a line break.
void write_manifest(const std::string& path, const std::vector<SweepRun>& runs);
// UserError naming the file and line for anything that is not a manifest line.
std::vector<SweepRun> read_manifest(const std::string& path);

// The lines of shard `shard` of `shards` (1-based: 1/4 .. 4/4): every shards-th line from the shard-th,
// so each shard gets a share of every task and model. UserError for a shard outside 1..shards.
std::vector<SweepRun> manifest_shard(const std::vector<SweepRun>& runs, int shard, int shards);
// Parses "i/N".
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace lra
