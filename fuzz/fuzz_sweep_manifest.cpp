// A sweep's manifest (<out>/sweep/manifest.tsv) as `lra sweep` and `lra report` read it. The input is the
// manifest of a results folder holding one finished run; then:
//   - read_manifest succeeds or refuses with one UserError line;
//   - what it accepts writes back to the same text (manifest_text), and every shard split covers it once;
//   - the folder's scan names the manifest as unusable, or counts its runs, each either finished or a gap;
//   - the report and its summary are written from that scan.
#include <set>

#include "fuzz/fuzz_support.h"
#include "core/atomic_file.h"
#include "lra/report/report.h"
#include "lra/report/run_report.h"
#include "lra/report/sweep_manifest.h"

namespace {

struct Setup {
  lra_fuzz::fs::path root = lra_fuzz::scratch() / "sweep";
  std::string manifest = lra::manifest_path(root.string());
  lra::Json published;
  Setup() {
    const lra::Json run = {
        {"schema_version", lra::kReportSchemaVersion}, {"run_id", "20260101-000000-1-0001"}, {"task", "listops"},
        {"model", "luna-16"}, {"seed", 1}, {"status", "completed"}, {"profile", "smoke"},
        {"environment", {{"git_commit", "abc"}, {"cpu", "x"}, {"threads", 1}, {"hostname", "h"}}},
        {"timing", {{"wall_seconds", 1.0}}}, {"majority_baseline", {{"test", 0.2}}},
        {"accuracy", {{"final", {{"test", 0.3}}}, {"best_val", {{"test", 0.3}}}}}};
    lra::write_text_atomically((root / "listops" / "luna-16" / "seed-1" / "latest.json").string(), run.dump());
    published = lra::load_published(lra::default_config_dir());
  }
};

lra::SweepRun seed_run(int index, const std::string& task, int seed, const std::string& protocol) {
  lra::SweepRun r;
  r.index = index;
  r.task = task;
  r.model = "luna-16";
  r.seed = seed;
  r.protocol = protocol;
  r.run_folder = lra::run_folder_for(task, r.model, seed, protocol);
  r.config_sha256 = std::string(64, 'a');
  r.profile = "smoke";
  r.precision = "fp32";
  r.data_dir = "/data/smoke";
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = lra_fuzz::seed_dir())
    lra::write_text_atomically(std::string(dir) + "/seed-manifest.tsv",
                               lra::manifest_text({seed_run(0, "listops", 1, "scratch"), seed_run(1, "text", 1, "spt"),
                                                   seed_run(2, "listops", 2, "scratch")}));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  lra_fuzz::write_file(setup.manifest, data, size);
  std::vector<lra::SweepRun> runs;
  bool readable = false;
  lra_fuzz::expect_success_or_user_error([&] {
    runs = lra::read_manifest(setup.manifest);
    readable = true;
  });
  if (readable) {
    const std::string text = lra::manifest_text(runs);
    lra_fuzz::write_file(setup.manifest, text);
    if (lra::manifest_text(lra::read_manifest(setup.manifest)) != text) {
      std::fprintf(stderr, "fuzz: an accepted manifest does not read back as itself\n");
      std::abort();
    }
    for (int shards = 1; shards <= 3; ++shards) {
      std::set<int> seen;
      for (int shard = 1; shard <= shards; ++shard)
        for (const auto& r : lra::manifest_shard(runs, shard, shards)) seen.insert(r.index);
      if (seen.size() != runs.size()) {
        std::fprintf(stderr, "fuzz: the shards of %d do not cover the manifest once\n", shards);
        std::abort();
      }
    }
  }
  lra_fuzz::expect_success_or_user_error([&] {
    const lra::RunReportScan scan = lra::scan_run_reports(setup.root.string());
    const bool named = !scan.unusable.empty() && scan.unusable.back().path == setup.manifest;
    if (readable != !named || (readable && (scan.sweep_runs != static_cast<int>(runs.size()) ||
                                            scan.sweep_gaps.size() > runs.size()))) {
      std::fprintf(stderr, "fuzz: the scan neither counted the manifest's runs nor named it as unusable\n");
      std::abort();
    }
    lra::folder_report_markdown(scan, nullptr, setup.published);
    lra::folder_report_summary(scan).dump();
  });
  return 0;
}
