// Checkpoint tensors: state_dict holds parameters and buffers, a file round trip reproduces the
// logits exactly, Python's torch.load reads the file as {name: tensor}, and mismatches name the tensors.
#include "model_fixtures.h"  // first: see there

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include <torch/nn/modules/linear.h>

#include "core/errors.h"
#include "models/state_dict.h"
#include "scratch.h"

using Catch::Matchers::Contains;
using lra::test::make_test_batch;
using lra::test::smoke_config;

namespace {


struct WithBuffer : torch::nn::Module {
  WithBuffer() {
    fc = register_module("fc", torch::nn::Linear(3, 2));
    running = register_buffer("running", torch::arange(4.0));
  }
  torch::nn::Linear fc{nullptr};
  torch::Tensor running;
};

std::string shape_text(const torch::Tensor& t) {
  std::string s;
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s;
}

}  // namespace

TEST_CASE("state_dict holds parameters and buffers by dotted name and round-trips through a file",
          "[models][state_dict]") {
  WithBuffer a, b;
  const auto dict = lra::state_dict(a);
  CHECK(dict.size() == 3);
  CHECK(dict.contains("fc.weight"));
  CHECK(dict.contains("fc.bias"));
  CHECK(dict.contains("running"));
  const auto dir = lra::test::scratch("state_dict");
  const auto path = (dir / "buffer.pt").string();
  {
    torch::NoGradGuard no_grad;
    a.running.mul_(3);
  }
  lra::save_state_dict_file(a, path);
  lra::load_state_dict_file(b, path);
  CHECK(torch::equal(b.running, a.running));
  CHECK(torch::equal(b.fc->weight, a.fc->weight));
}

TEST_CASE("saving and loading a checkpoint reproduces every model's logits exactly", "[models][state_dict]") {
  const auto dir = lra::test::scratch("state_dict");
  for (const auto& entry : lra::model_registry()) {
    CAPTURE(entry.name);
    const auto config = smoke_config("retrieval", entry.name);
    const auto task = lra::task_info_from_config(config);
    torch::manual_seed(11);
    auto saved = lra::build_model(config);
    torch::manual_seed(12);
    auto loaded = lra::build_model(config);
    saved->eval();
    loaded->eval();
    const auto batch = make_test_batch(task, {9, 4}, 9, 3);
    const auto expected = saved->forward(batch);
    CHECK(!torch::equal(expected, loaded->forward(batch)));
    const auto path = (dir / (entry.name + ".pt")).string();
    lra::save_state_dict_file(*saved, path);
    lra::load_state_dict_file(*loaded, path);
    CHECK(torch::equal(expected, loaded->forward(batch)));
  }
}

TEST_CASE("python torch.load reads a checkpoint as {name: tensor} with the model's names and shapes",
          "[models][state_dict][python]") {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
    FAIL("/usr/bin/python3 cannot import torch: run scripts/setup.sh (installs python3-torch)");
  const auto dir = lra::test::scratch("state_dict");
  std::map<std::string, std::map<std::string, std::string>> expected;  // file -> name -> shape
  for (const auto& entry : lra::model_registry()) {
    auto model = lra::build_model(smoke_config("text", entry.name));
    const auto path = (dir / (entry.name + ".pt")).string();
    lra::save_state_dict_file(*model, path);
    for (const auto& item : lra::state_dict(*model)) expected[path][item.key()] = shape_text(item.value());
  }
  const auto listing = (dir / "listing.txt").string();
  std::string script = "import sys, torch\nout = open(sys.argv[1], 'w')\nfor path in sys.argv[2:]:\n"
                       "    d = torch.load(path)\n"
                       "    assert isinstance(d, dict), type(d)\n"
                       "    for k, v in d.items():\n"
                       "        assert isinstance(k, str) and isinstance(v, torch.Tensor), (k, type(v))\n"
                       "        out.write(path + ' ' + k + ' ' + ','.join(str(s) for s in v.shape) + '\\n')\n";
  const auto script_path = (dir / "list.py").string();
  std::ofstream(script_path) << script;
  std::string command = "/usr/bin/python3 " + script_path + " " + listing;
  for (const auto& [path, names] : expected) command += " " + path;
  REQUIRE(std::system(command.c_str()) == 0);
  std::map<std::string, std::map<std::string, std::string>> actual;
  std::ifstream in(listing);
  std::string path, name, shape;
  while (in >> path >> name) {
    std::getline(in, shape);
    actual[path][name] = shape.empty() ? "" : shape.substr(1);
  }
  CHECK(actual == expected);
}

TEST_CASE("loading a checkpoint of another model names the missing, unexpected and mismatched tensors",
          "[models][state_dict]") {
  auto luna16 = lra::build_model(smoke_config("text", "luna-16"));
  auto luna128 = lra::build_model(smoke_config("text", "luna-128"));
  auto transformer = lra::build_model(smoke_config("text", "transformer"));
  auto linformer = lra::build_model(smoke_config("text", "linformer"));
  CHECK_THROWS_WITH(lra::load_state_dict(*luna128, lra::state_dict(*luna16)),
                    Contains("shape mismatch: encoder.extra_stream.projected_embeddings (16,32) vs model (128,32)"));
  CHECK_THROWS_WITH(lra::load_state_dict(*linformer, lra::state_dict(*transformer)),
                    Contains("missing: encoder.blocks.0.attn.E, encoder.blocks.0.attn.F"));
  CHECK_THROWS_WITH(lra::load_state_dict(*transformer, lra::state_dict(*linformer)),
                    Contains("unexpected: encoder.blocks.0.attn.E, encoder.blocks.0.attn.F"));
  const auto dir = lra::test::scratch("state_dict");
  const auto path = (dir / "not_a_checkpoint.pt").string();
  std::ofstream(path) << "hello";
  CHECK_THROWS_AS(lra::load_state_dict_file(*luna16, path), lra::UserError);
  CHECK_THROWS_AS(lra::load_state_dict_file(*luna16, path + ".missing"), lra::UserError);
}
