// The malformed-input catalogue: one row per (class, example). Each row builds a data or config folder
// with one defect, runs the `lra` binary on it and checks what a user sees: exit code 2, exactly one
// "lra: error: ..." line naming the defect, and nothing written under --out. The two classes that are
// accepted by design (zero-byte PNGs are skipped and counted; non-UTF-8 bytes in text are data) check
// that instead.
#include "tests/catch_torch.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "lra/config/config.h"
#include "tasks/pathfinder/png_io.h"
#include "tasks/registry.h"
#include "tests/data_test_support.h"
#include "tests/run_support.h"

namespace fs = std::filesystem;
using lra::Json;

namespace {

using Run = lra::test::CapturedRun;

Run run_lra(const std::vector<std::string>& args, const fs::path& capture_dir) {
  return lra::test::capture_lra(args, capture_dir);
}

using lra::test::scratch;

// Smoke-size ListOps generated once, copied for every row that damages it.
const fs::path& listops_data() {
  static const fs::path dir = [] {
    fs::path d = scratch("listops");
    Json config = lra::resolve_config({"listops", "luna-16", "smoke", {}, ""});
    lra::find_task("listops").generate(d.string(), config["task"], 1);
    return d;
  }();
  return dir;
}

fs::path copy_of(const fs::path& from, const std::string& name) {
  fs::path to = scratch(name);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return to;
}

std::string listops_file(const fs::path& data, const std::string& split) {
  return (data / "listops-1000" / ("basic_" + split + ".tsv")).string();
}

// A Text folder in the aclImdb layout: `per_folder` reviews in each of train/test x neg/pos.
fs::path text_data(int per_folder, const std::string& odd_review = "") {
  fs::path d = scratch("text");
  for (const char* split : {"train", "test"})
    for (const char* label : {"neg", "pos"})
      for (int i = 0; i < per_folder; ++i)
        lra::test::write_file((d / "aclImdb" / split / label / (std::to_string(i) + "_7.txt")).string(),
                             i == 0 && !odd_review.empty() ? odd_review : std::string("a plain review ") + label);
  return d;
}

// AAN pairs: `rows` valid rows in each split, then `last_row` appended to train when not empty.
fs::path retrieval_data(int rows, const std::string& last_row = "") {
  fs::path d = scratch("aan");
  for (const char* split : {"train", "eval", "test"}) {
    std::string text;
    for (int i = 0; i < rows; ++i) text += std::to_string(i % 2) + "\tA" + std::to_string(i) + "\tB\tfirst doc\tsecond doc\n";
    if (split == std::string("train")) text += last_row;
    lra::test::write_file((d / "tsv_data" / ("new_aan_pairs." + std::string(split) + ".tsv")).string(), text);
  }
  return d;
}

// CIFAR-10 binary batches with `records` 3073-byte records each; `edit` may damage data_batch_1.
fs::path cifar_data(int records, const std::function<void(std::string&)>& edit = {}) {
  fs::path d = scratch("cifar");
  for (const char* name : {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"}) {
    std::string bytes;
    for (int r = 0; r < records; ++r) {
      std::string record(3073, static_cast<char>(r * 20));
      record[0] = static_cast<char>(r % 10);
      bytes += record;
    }
    if (edit && name == std::string("data_batch_1")) edit(bytes);
    lra::test::write_file((d / "cifar-10-batches-bin" / (std::string(name) + ".bin")).string(), bytes);
  }
  return d;
}

// Pathfinder-32 in the release layout: `count` images in imgs/0 with metadata/0.npy; `edit` may
// rewrite an image's bytes (by index) or the metadata text (index -1).
fs::path pathfinder_data(int count, const std::function<void(int, std::string&)>& edit = {}) {
  fs::path d = scratch("pathfinder");
  fs::path root = d / "pathfinder32" / "curv_contour_length_14";
  std::string metadata;
  for (int i = 0; i < count; ++i) {
    lra::GrayImage image(32, 32);
    for (int k = 0; k < 32; ++k) image.at(k, (k + i) % 32) = 255;
    auto png = lra::encode_gray_png(image);
    std::string bytes(png.begin(), png.end());
    if (edit) edit(i, bytes);
    lra::test::write_file((root / "imgs" / "0" / ("sample_" + std::to_string(i) + ".png")).string(), bytes);
    metadata += "imgs/0 sample_" + std::to_string(i) + ".png " + std::to_string(i) + " " + std::to_string(i % 2) +
                " 1.0 14 14 5 1.5 2 1\n";
  }
  if (edit) edit(-1, metadata);
  lra::test::write_file((root / "metadata" / "0.npy").string(), metadata);
  return d;
}

std::string png_of_side(int side) {
  auto png = lra::encode_gray_png(lra::GrayImage(side, side));
  return std::string(png.begin(), png.end());
}

// A finished smoke ListOps run (luna-16) to damage: its --out folder.
const fs::path& finished_run() {
  static const fs::path out = [] {
    fs::path o = scratch("run");
    Run run = run_lra({"--threads", "1", "train", "--task", "listops", "--model", "luna-16", "--profile", "smoke",
                       "--data-dir", listops_data().string(), "--out", o.string(), "--quiet", "--set",
                       "train.steps=4", "--set", "train.eval_every=2"},
                      scratch("capture"));
    REQUIRE(run.code == 0);
    return o;
  }();
  return out;
}

// last.ckpt of the run recorded in out/latest.json (under `out`: the report's own paths name the
// folder the run was written to, and `out` may be a copy of it).
fs::path last_checkpoint(const fs::path& out) {
  Json latest = Json::parse(lra::read_text_file((out / "latest.json").string()));
  return out / "checkpoints" / latest["run_id"].get<std::string>() / "last.ckpt";
}

// A copy of configs/ where `file` is replaced by `text`.
fs::path config_dir_with(const std::string& file, const std::string& text) {
  fs::path d = copy_of(lra::default_config_dir(), "configs");
  lra::test::write_file((d / file).string(), text);
  return d;
}

std::vector<std::string> train_args(const std::string& task, const fs::path& data, const fs::path& out,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--threads", "1", "train", "--task", task, "--model", "luna-16", "--profile", "smoke",
                                "--data-dir", data.string(), "--out", out.string(), "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct Case {
  std::string klass;    // the malformed-input class
  std::string example;  // what this row damages
  // Builds the input; returns the lra arguments. `out` is the --out folder the run must not touch.
  std::function<std::vector<std::string>(const fs::path& out)> make;
  std::vector<std::string> expected;  // substrings of the one error line
  std::function<fs::path()> out = [] { return scratch("out") / "never_written"; };
};

std::vector<Case> catalogue() {
  const std::string too_long(size_t{1} << 20, '1');
  return {
      {"truncated line", "AAN row cut inside text1",
       [](const fs::path& out) {
         return train_args("retrieval", retrieval_data(8, "1\tA9\tB9\tfirst d"), out);
       },
       {"new_aan_pairs.train.tsv:9: expected 5 tab-separated columns (label, id1, id2, text1, text2), found 4"}},
      {"wrong image size", "CIFAR-10 batch whose last record is cut short",
       [](const fs::path& out) {
         return train_args("image", cifar_data(10, [](std::string& b) { b.resize(b.size() - 100); }), out);
       },
       {"data_batch_1.bin:byte 27657: truncated record: 30630 bytes is not a whole number of 3073-byte records"}},
      {"extra column", "ListOps row with a third column",
       [](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "extra");
         std::string text = lra::test::read_file(listops_file(d, "train"));
         text.insert(text.find('\n', text.find('\n') + 1), "\tsurplus");
         lra::test::write_file(listops_file(d, "train"), text);
         return train_args("listops", d, out);
       },
       {"basic_train.tsv:2: expected 2 tab-separated columns (Source, Target), found 3"}},
      {"missing column", "ListOps row without its Target",
       [](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "missing");
         lra::test::write_file(listops_file(d, "test"), "Source\tTarget\n( ( [MAX 2 ) 9 ) ]\n");
         return train_args("listops", d, out);
       },
       {"basic_test.tsv:2: expected 2 tab-separated columns (Source, Target), found 1"}},
      {"bad label", "ListOps Target 'x'",
       [](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "badlabel");
         lra::test::write_file(listops_file(d, "val"), "Source\tTarget\n( [MAX 2 9 ) ]\tx\n");
         return train_args("listops", d, out);
       },
       {"basic_val.tsv:2: label 'x' is not an integer (expected 0..9)", "hint: regenerate with 'lra data generate"}},
      {"bad label", "AAN label 'yes'",
       [](const fs::path& out) { return train_args("retrieval", retrieval_data(4, "yes\tA\tB\tone\ttwo\n"), out); },
       {"new_aan_pairs.train.tsv:5: label 'yes' is not a number (expected 0 or 1)"}},
      {"label out of range", "ListOps Target 12",
       [](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "range");
         lra::test::write_file(listops_file(d, "val"), "Source\tTarget\n( [MAX 2 9 ) ]\t12\n");
         return train_args("listops", d, out);
       },
       {"basic_val.tsv:2: label 12 is out of range (expected 0..9 for task.classes = 10)"}},
      {"label out of range", "CIFAR-10 label byte 10",
       [](const fs::path& out) {
         return train_args("image", cifar_data(10, [](std::string& b) { b[3073 * 2] = 10; }), out);
       },
       {"data_batch_1.bin:byte 6146: label 10 of record 2 is out of range (expected 0..9)"}},
      {"label out of range", "Pathfinder label 3",
       [](const fs::path& out) {
         return train_args("pathfinder", pathfinder_data(20, [](int i, std::string& b) {
                             if (i == -1) b.replace(b.find(" 0 0 1.0"), 8, " 0 3 1.0");
                           }), out);
       },
       {"metadata/0.npy:1: label (field 4) 3 is out of range (expected 0 or 1)"}},
      {"non-UTF-8 text", "ListOps expression with byte 0xFF: an unknown symbol, quoted escaped",
       [](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "utf8");
         lra::test::write_file(listops_file(d, "train"), "Source\tTarget\n( [MAX 2 \xff ) ]\t2\n");
         return train_args("listops", d, out);
       },
       {"basic_train.tsv:2: unknown symbol '\\xFF'"}},
      {"non-UTF-8 text", "--set of a string key to bytes that are not UTF-8",
       [](const fs::path& out) {
         return train_args("listops", listops_data(), out, {"--set", "task.data.folder=list\xc3\x28ops"});
       },
       {"'task.data.folder' expects printable UTF-8 text", "task.data.folder=list\\xC3(ops"}},
      {"oversize line", "ListOps row of 1 MiB",
       [too_long](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "oversize");
         lra::test::write_file(listops_file(d, "test"), "Source\tTarget\n( [SM " + too_long + " ) ]\t1\n");
         return train_args("listops", d, out);
       },
       {"basic_test.tsv:2: line is longer than 1048576 bytes (not a row of this format)"}},
      {"empty file", "ListOps basic_val.tsv of 0 bytes",
       [](const fs::path& out) {
         fs::path d = copy_of(listops_data(), "empty");
         lra::test::write_file(listops_file(d, "val"), "");
         return train_args("listops", d, out);
       },
       {"basic_val.tsv: empty file (0 bytes)"}},
      {"empty file", "CIFAR-10 test_batch.bin of 0 bytes",
       [](const fs::path& out) {
         fs::path d = cifar_data(10);
         lra::test::write_file((d / "cifar-10-batches-bin" / "test_batch.bin").string(), "");
         return train_args("image", d, out);
       },
       {"test_batch.bin: empty file (0 bytes); expected 3073-byte CIFAR-10 records"}},
      {"wrong image size", "Pathfinder-32 folder with one 16x16 PNG",
       [](const fs::path& out) {
         return train_args("pathfinder", pathfinder_data(20, [](int i, std::string& b) {
                             if (i == 7) b = png_of_side(16);
                           }), out);
       },
       {"sample_7.png (listed at ", "0.npy:8): image is 16x16, expected 32x32"}},
      {"wrong image size", "Pathfinder image that is not a PNG",
       [](const fs::path& out) {
         return train_args("pathfinder", pathfinder_data(20, [](int i, std::string& b) {
                             if (i == 3) b = "GIF89a not a png";
                           }), out);
       },
       {"sample_3.png (listed at ", "not a PNG file (bad signature)"}},
      {"corrupt checkpoint", "--resume from a last.ckpt cut in half",
       [](const fs::path& out) {
         const std::string last = last_checkpoint(out).string();
         std::string bytes = lra::test::read_file(last);
         lra::test::write_file(last, bytes.substr(0, bytes.size() / 2));
         return train_args("listops", listops_data(), out, {"--resume", "--set", "train.steps=4", "--set",
                                                           "train.eval_every=2"});
       },
       {"last.ckpt: not a readable checkpoint (truncated or corrupt file)"},
       [] { return copy_of(finished_run(), "corrupt"); }},
      {"corrupt checkpoint", "lra eval of a file that is not a checkpoint",
       [](const fs::path& out) {
         lra::test::write_file((out / "fake.ckpt").string(), "PK\x03\x04 definitely not a zip");
         return std::vector<std::string>{"eval", "--checkpoint", (out / "fake.ckpt").string(), "--data-dir",
                                         listops_data().string(), "--predictions",
                                         (out / "predictions.tsv").string()};
       },
       {"fake.ckpt: not a readable checkpoint"},
       [] { return scratch("eval"); }},
      {"checkpoint of another model", "--resume a luna-16 run with --model transformer",
       [](const fs::path& out) {
         auto args = train_args("listops", listops_data(), out, {"--resume", "--set", "train.steps=4", "--set",
                                                                "train.eval_every=2"});
         *std::find(args.begin(), args.end(), "luna-16") = "transformer";
         return args;
       },
       {"last.ckpt is a checkpoint of model \"luna-16\", not \"transformer\"", "hint: resume with --model luna-16"},
       [] { return copy_of(finished_run(), "othermodel"); }},
      {"bad JSON", "a model config with a missing value",
       [](const fs::path& out) {
         fs::path configs = config_dir_with("models/luna-16.json", "{\n  \"model\": {\n    \"layers\": ,\n  }\n}\n");
         auto args = train_args("listops", listops_data(), out);
         args.insert(args.begin(), {"--config-dir", configs.string()});
         return args;
       },
       {"luna-16.json: bad JSON: parse error at line 3, column 15"}},
      {"unknown task", "--task listop",
       [](const fs::path& out) {
         auto args = train_args("listop", listops_data(), out);
         return args;
       },
       {"unknown task 'listop' (known: image, listops, pathfinder, pathx, retrieval, text"}},
      {"unknown task", "--task ../models/luna-16 (a path, not a name)",
       [](const fs::path& out) { return train_args("../models/luna-16", listops_data(), out); },
       {"unknown task '../models/luna-16'"}},
      {"unknown model", "--model lunaa",
       [](const fs::path& out) {
         auto args = train_args("listops", listops_data(), out);
         *std::find(args.begin(), args.end(), "luna-16") = "lunaa";
         return args;
       },
       {"unknown model 'lunaa' (known: ", "luna-16"}},
      {"unknown key", "--set train.lrr=0.1",
       [](const fs::path& out) { return train_args("listops", listops_data(), out, {"--set", "train.lrr=0.1"}); },
       {"--set train.lrr=0.1: unknown key 'train.lrr' (nearest valid key: 'train.lr')"}},
      {"unknown key", "a task config with a key the schema does not have",
       [](const fs::path& out) {
         std::string task = lra::test::read_file(lra::default_config_dir() + "/tasks/listops.json");
         task.replace(task.find("\"train\": {"), 10, "\"train\": { \"epochs\": 3,");
         fs::path configs = config_dir_with("tasks/listops.json", task);
         auto args = train_args("listops", listops_data(), out);
         args.insert(args.begin(), {"--config-dir", configs.string()});
         return args;
       },
       {"listops.json: unknown key 'train.epochs' (nearest valid key: "}},
  };
}

// Relative path -> bytes of everything under dir ("" for folders); empty map when dir is absent.
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    files[fs::relative(entry.path(), dir).string()] =
        entry.is_regular_file() ? lra::test::read_file(entry.path().string()) : std::string();
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("every malformed-input class exits 2 with its one-line error and writes nothing under --out",
          "[malformed][cli]") {
  std::set<std::string> classes;
  for (const Case& c : catalogue()) {
    classes.insert(c.klass);
    INFO(c.klass << ": " << c.example);
    const fs::path out = c.out();
    const std::vector<std::string> args = c.make(out);
    const auto prepared = contents(out);  // make() may damage files of a prepared --out
    Run run = run_lra(args, scratch("capture"));
    INFO("stderr: " << run.err);
    CHECK(run.code == 2);
    std::vector<std::string> errors;
    for (const auto& line : lines_of(run.err)) {
      CHECK(line.rfind("lra: internal error", 0) != 0);
      if (line.rfind("lra: error: ", 0) == 0) errors.push_back(line);
    }
    REQUIRE(errors.size() == 1);
    for (const auto& expected : c.expected) CHECK_THAT(errors[0], Catch::Matchers::Contains(expected));
    CHECK(contents(out) == prepared);
  }
  CHECK(classes.size() == 15);  // + zero-byte PNG and non-UTF-8 review bytes (accepted), below
}

TEST_CASE("a zero-byte PNG is skipped and counted in the report, not an error", "[malformed][cli]") {
  fs::path data = pathfinder_data(20, [](int i, std::string& b) {
    if (i == 5) b.clear();
  });
  fs::path out = scratch("zero_png");
  Run run = run_lra(train_args("pathfinder", data, out, {"--set", "train.steps=2", "--set", "train.warmup_steps=0", "--set", "train.eval_every=2"}),
                    scratch("capture"));
  INFO(run.err);
  REQUIRE(run.code == 0);
  Json report = Json::parse(lra::read_text_file((out / "latest.json").string()));
  CHECK(report["status"] == "completed");
  CHECK(report["data"]["images_listed"] == 20);
  CHECK(report["data"]["zero_byte_images_skipped"] == 1);
  CHECK(report["data_sizes"]["train"].get<int>() + report["data_sizes"]["val"].get<int>() +
            report["data_sizes"]["test"].get<int>() ==
        19);
}

TEST_CASE("bytes that are not UTF-8 in a review are data: the Text loader keeps them as tokens", "[malformed][cli]") {
  fs::path data = text_data(3, "caf\xe9 \xff\xfe review");  // Latin-1 and stray bytes
  Run run = run_lra({"data", "check", "--task", "text", "--profile", "smoke", "--data-dir", data.string()},
                    scratch("capture"));
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK_THAT(run.out, Catch::Matchers::Contains("ok: every file loaded"));
}
