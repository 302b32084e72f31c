// The JSON config loader (load_json_file + the layered merge of resolve_config): a copy of configs/
// where byte 0 of the input picks one file (defaults, the task, the model or the profile) and the
// rest replaces it; then listops x luna-16 x smoke is resolved. The file is restored afterwards.
#include "fuzz/fuzz_support.h"
#include "core/atomic_file.h"
#include "lra/config/config.h"

namespace {

struct Setup {
  lra_fuzz::fs::path dir = lra_fuzz::scratch() / "configs";
  std::vector<std::pair<lra_fuzz::fs::path, std::string>> files;
  Setup() {
    lra_fuzz::fs::copy(lra::default_config_dir(), dir, lra_fuzz::fs::copy_options::recursive);
    for (const char* name : {"defaults.json", "tasks/listops.json", "models/luna-16.json", "profiles/smoke.json"})
      files.emplace_back(dir / name, lra::read_text_file((dir / name).string()));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  if (size == 0) return 0;
  const auto& [path, original] = setup.files[data[0] % setup.files.size()];
  lra_fuzz::write_file(path, data + 1, size - 1);
  lra_fuzz::expect_success_or_user_error(
      [&] { lra::resolve_config({"listops", "luna-16", "smoke", {}, setup.dir.string()}); });
  lra_fuzz::write_file(path, original);
  return 0;
}
