// aclImdb folders: the input is a list of files separated by NUL bytes, each "<name>\n<review bytes>";
// file i goes to {train,test}/{neg,pos}/ (i mod 4) under <name>, or under "<i>_7.txt" when the name
// is empty. Names and contents are the fuzzer's, so odd names, empty reviews and missing folders occur.
#include <cstring>

#include "fuzz/fuzz_support.h"
#include "tasks/text/text.h"

namespace {

bool safe_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name == "." || name == "..") return false;
  for (char c : name)
    if (c == '/' || c == '\0') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lra_fuzz::TaskFolder setup("text");
  static const char* const kFolders[4] = {"train/neg", "train/pos", "test/neg", "test/pos"};
  std::error_code ignored;
  lra_fuzz::fs::remove_all(setup.folder, ignored);
  for (const char* f : kFolders) lra_fuzz::fs::create_directories(setup.folder / f);
  const std::string input(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  for (int i = 0; start <= input.size() && i < 64; ++i) {
    size_t end = input.find('\0', start);
    if (end == std::string::npos) end = input.size();
    const std::string file = input.substr(start, end - start);
    const size_t newline = file.find('\n');
    std::string name = newline == std::string::npos ? "" : file.substr(0, newline);
    const std::string review = newline == std::string::npos ? file : file.substr(newline + 1);
    if (!safe_name(name)) name = std::to_string(i) + "_7.txt";
    lra_fuzz::write_file(setup.folder / kFolders[i % 4] / name, review);
    start = end + 1;
  }
  lra_fuzz::expect_success_or_user_error([&] { lra::load_text(setup.root.string(), setup.task); });
  return 0;
}
