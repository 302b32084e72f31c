// script:<file.pt>: a TorchScript sequence mixer in lra's Transformer block. The example softmax mixer
// (examples/mixers.py) with lra's Transformer weights gives the Transformer's logits, gradients and
// training steps; reset_parameters follows the seed; every broken module is one error naming its file;
// `lra train` with one exits 2 and writes no run folder, and with a good one records its SHA-256.
#include "model_fixtures.h"  // first: see there

#include <cstdlib>
#include <fstream>

#include <torch/torch.h>

#include "core/errors.h"
#include "attention_reference.h"
#include "core/sha256.h"
#include "models/script/script_mixer.h"
#include "run_support.h"

namespace {

namespace fs = std::filesystem;

// examples/mixers.py's two modules at the smoke width (d 32, 2 heads), made once per test process.
const fs::path& example_mixers() {
  static const fs::path dir = [] {
    const auto d = lra::test::scratch("script_mixers");
    const std::string command = "/usr/bin/python3 " + std::string(LRA_SOURCE_DIR) + "/examples/mixers.py " +
                                d.string() + " --d-model 32 --heads 2 >/dev/null";
    if (std::system(command.c_str()) != 0) FAIL("examples/mixers.py failed (needs python3-torch: scripts/setup.sh)");
    return d;
  }();
  return dir;
}

// A module file from Python source `body` (a class M), saved under `name`.
std::string broken_module(const std::string& name, const std::string& body) {
  const auto dir = lra::test::scratch("script_broken");
  const auto source = dir / (name + ".py"), file = dir / (name + ".pt");
  std::ofstream(source) << "import torch\nfrom torch import Tensor, nn\n" << body
                        << "\ntorch.jit.save(torch.jit.script(M()), '" << file.string() << "')\n";
  REQUIRE(std::system(("/usr/bin/python3 " + source.string()).c_str()) == 0);
  return file.string();
}

std::vector<std::string> quiet_overrides() {
  return {"model.layers=2", "model.dropout=0", "model.attention_dropout=0", "model.act_dropout=0"};
}

// The script model's parameter name for one of the Transformer's (attn.q_proj.weight -> attn.q_proj_weight).
std::string script_name(std::string name) {
  const auto at = name.find(".attn.");
  if (at != std::string::npos) {
    const auto dot = name.rfind('.');
    if (dot > at + 5) name[dot] = '_';
  }
  return name;
}

}  // namespace

TEST_CASE("the example softmax mixer with the Transformer's weights gives its logits, gradients and steps",
          "[script][parity][python]") {
  const std::string script = "script:" + (example_mixers() / "softmax_attention.pt").string();
  const auto reference_config = lra::test::smoke_config("listops", "transformer", quiet_overrides());
  const auto script_config = lra::test::smoke_config("listops", script, quiet_overrides());
  torch::manual_seed(21);
  auto reference = lra::build_model(reference_config);
  auto mixer = lra::build_model(script_config);
  auto reference_parameters = reference->named_parameters(), mixer_parameters = mixer->named_parameters();
  REQUIRE(reference_parameters.size() == mixer_parameters.size());
  {
    torch::NoGradGuard no_grad;
    for (const auto& item : reference_parameters) {
      item.value().add_(torch::randn_like(item.value()) * 0.05);  // off the initialisation
      const auto* target = mixer_parameters.find(script_name(item.key()));
      REQUIRE(target != nullptr);
      target->copy_(item.value());
    }
  }
  const auto task = lra::task_info_from_config(reference_config);
  const lra::Batch batch = lra::test::make_test_batch(task, {30, 12, 25}, 30, 4);
  const auto labels = torch::tensor({1, 3, 7}, torch::kLong);
  torch::optim::Adam reference_adam(reference->parameters(), torch::optim::AdamOptions(1e-3));
  torch::optim::Adam mixer_adam(mixer->parameters(), torch::optim::AdamOptions(1e-3));
  for (int step = 0; step < 3; ++step) {
    INFO("step " << step);
    const auto a = reference->forward(batch), b = mixer->forward(batch);
    const double logit_diff = (a - b).abs().max().item<double>();
    lra::test::print_maxdiff("script softmax mixer logits vs transformer", logit_diff, 1e-5);
    CHECK(logit_diff <= 1e-5);
    reference_adam.zero_grad(), mixer_adam.zero_grad();
    torch::nn::functional::cross_entropy(a, labels).backward();
    torch::nn::functional::cross_entropy(b, labels).backward();
    double grad_diff = 0.0;
    for (const auto& item : reference_parameters)
      grad_diff = std::max(grad_diff, (item.value().grad() - mixer_parameters[script_name(item.key())].grad())
                                          .abs().max().item<double>());
    CHECK(grad_diff <= 1e-5);
    reference_adam.step(), mixer_adam.step();
  }
}

TEST_CASE("reset_parameters follows torch's seed: the same seed, the same weights", "[script][python]") {
  const auto config = lra::test::smoke_config("listops", "script:" + (example_mixers() / "gated_linear.pt").string());
  auto weights = [&](uint64_t seed) {
    torch::manual_seed(seed);
    auto model = lra::build_model(config);
    std::vector<torch::Tensor> out;
    for (const auto& item : model->named_parameters())
      if (item.key().find(".attn.") != std::string::npos) out.push_back(item.value().detach().clone());
    return out;
  };
  const auto a = weights(1), b = weights(1), c = weights(2);
  REQUIRE(!a.empty());
  for (size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i], b[i]));
  bool differs = false;
  for (size_t i = 0; i < a.size(); ++i) differs = differs || !torch::equal(a[i], c[i]);
  CHECK(differs);
  // Two layers: two copies of the module, each with its own parameters.
  torch::manual_seed(1);
  auto model = lra::build_model(lra::test::smoke_config(
      "listops", "script:" + (example_mixers() / "gated_linear.pt").string(), {"model.layers=2"}));
  const auto params = model->named_parameters();
  CHECK_FALSE(torch::equal(params["encoder.blocks.0.attn.gate_weight"], params["encoder.blocks.1.attn.gate_weight"]));
}

TEST_CASE("a module that breaks the contract is one error naming the file and the fix", "[script][python]") {
  auto error_of = [](const std::string& path) -> std::string {
    try {
      lra::build_model(lra::test::smoke_config("listops", "script:" + path));
    } catch (const lra::UserError& e) {
      return e.what();
    }
    return "no error";
  };
  const auto missing = (lra::test::scratch("script_broken") / "missing.pt").string();
  CHECK_THAT(error_of(missing), Catch::Contains(missing) && Catch::Contains("no such file"));
  const auto garbage = (lra::test::scratch("script_broken") / "garbage.pt").string();
  std::ofstream(garbage) << "not a module";
  CHECK_THAT(error_of(garbage), Catch::Contains(garbage) && Catch::Contains("not a TorchScript file"));
  const std::string reset = "    @torch.jit.export\n    def reset_parameters(self):\n        pass\n";
  const auto one_argument = broken_module("one_argument", "class M(nn.Module):\n" + reset +
                                                              "    def forward(self, x: Tensor) -> Tensor:\n"
                                                              "        return x\n");
  CHECK_THAT(error_of(one_argument), Catch::Contains(one_argument) && Catch::Contains("forward must be"));
  const auto no_reset = broken_module("no_reset", "class M(nn.Module):\n"
                                                  "    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:\n"
                                                  "        return x\n");
  CHECK_THAT(error_of(no_reset), Catch::Contains(no_reset) && Catch::Contains("reset_parameters"));
  const auto shape = broken_module("shape", "class M(nn.Module):\n" + reset +
                                                "    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:\n"
                                                "        return x[:, :1]\n");
  CHECK_THAT(error_of(shape), Catch::Contains(shape) && Catch::Contains("must return the input's shape"));
  const auto dtype = broken_module("dtype", "class M(nn.Module):\n" + reset +
                                                "    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:\n"
                                                "        return x.double()\n");
  CHECK_THAT(error_of(dtype), Catch::Contains(dtype) && Catch::Contains("float32"));
  const auto width = (example_mixers() / "gated_linear.pt").string();  // d 32, asked for 48
  std::string width_error;
  try {
    lra::build_model(lra::test::smoke_config("listops", "script:" + width, {"model.d_model=48"}));
  } catch (const lra::UserError& e) {
    width_error = e.what();
  }
  CHECK_THAT(width_error, Catch::Contains(width) && Catch::Contains("model.d_model (48)"));
}

TEST_CASE("lra train with a script mixer: exit 2 and no run folder when broken, its SHA-256 when not",
          "[script][python][cli]") {
  const auto dir = lra::test::scratch("script_train");
  const auto missing = (dir / "missing.pt").string();
  const auto bad = lra::test::capture_lra({"train", "--task", "listops", "--model", "script:" + missing, "--profile",
                                           "smoke", "--data-dir", lra::test::smoke_listops_data(), "--out",
                                           (dir / "bad").string()},
                                          dir);
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains(missing));
  CHECK_FALSE(fs::exists(dir / "bad"));
  const auto file = (example_mixers() / "gated_linear.pt").string();
  const auto good = lra::test::capture_lra({"train", "--task", "listops", "--model", "script:" + file, "--profile",
                                            "smoke", "--data-dir", lra::test::smoke_listops_data(), "--out",
                                            (dir / "good").string(), "--set", "train.steps=4"},
                                           dir);
  REQUIRE(good.code == 0);
  const auto report = lra::test::read_json(dir / "good" / "latest.json");
  CHECK(report["model_source"]["sha256"] == lra::file_sha256(file));
  CHECK(report["model_source"]["sha256"].get<std::string>().size() == 64);
  CHECK(report["model"] == "script:" + file);
}
