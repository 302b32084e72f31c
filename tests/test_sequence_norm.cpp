// model.norm_type: the three norms against torch's own modules or their formula, in training and eval
// mode, their parameter counts, the checkpoint names they share with LayerNorm, and the config paths
// that choose them (a bad value, a model file's per-task paper layer).
#include "model_fixtures.h"  // first: see there

#include <torch/torch.h>

#include "core/errors.h"
#include "models/sequence_norm.h"

TEST_CASE("layernorm equals torch's LayerNorm, with the same state-dict names", "[norm]") {
  torch::manual_seed(1);
  lra::SequenceNorm norm("layernorm", 6);
  torch::nn::LayerNorm reference(torch::nn::LayerNormOptions({6}));
  {
    torch::NoGradGuard no_grad;
    norm->weight.normal_(), norm->bias.normal_();
    reference->weight.copy_(norm->weight), reference->bias.copy_(norm->bias);
  }
  const auto x = torch::randn({3, 5, 6});
  CHECK(torch::allclose(norm(x), reference(x), 1e-6, 1e-6));
  std::vector<std::string> names;
  for (const auto& item : norm->named_parameters()) names.push_back(item.key());
  CHECK(names == std::vector<std::string>{"weight", "bias"});
  CHECK(lra::norm_parameters("layernorm", 6) == 12);
}

TEST_CASE("scalenorm divides each token by its RMS and scales by one learned scalar", "[norm]") {
  lra::SequenceNorm norm("scalenorm", 4);
  {
    torch::NoGradGuard no_grad;
    norm->scalar.fill_(2.0);
  }
  const auto x = torch::tensor({{{3.0f, 4.0f, 0.0f, 0.0f}}});  // RMS = sqrt(25 / 4) = 2.5
  const auto y = norm(x);
  CHECK(y[0][0][0].item<float>() == Approx(2.0 * 3.0 / std::sqrt(6.25 + 1e-5)));
  CHECK(norm->parameters().size() == 1);
  CHECK(lra::norm_parameters("scalenorm", 4) == 1);
}

TEST_CASE("batchnorm equals torch's BatchNorm1d over (batch, tokens) in training and in eval", "[norm]") {
  torch::manual_seed(2);
  lra::SequenceNorm norm("batchnorm", 5);
  torch::nn::BatchNorm1d reference(torch::nn::BatchNorm1dOptions(5).eps(1e-5).momentum(0.1));
  {
    torch::NoGradGuard no_grad;
    norm->weight.normal_(), norm->bias.normal_();
    reference->weight.copy_(norm->weight), reference->bias.copy_(norm->bias);
  }
  for (int step = 0; step < 3; ++step) {  // training: batch statistics, running ones updated
    const auto x = torch::randn({4, 7, 5}) * 3.0 + 1.0;                  // (B,N,D)
    const auto expected = reference(x.permute({0, 2, 1})).permute({0, 2, 1});  // BatchNorm1d on (B,D,N)
    CHECK(torch::allclose(norm(x), expected, 1e-5, 1e-5));
  }
  CHECK(torch::allclose(norm->running_mean, reference->running_mean, 1e-6, 1e-6));
  CHECK(torch::allclose(norm->running_var, reference->running_var, 1e-6, 1e-6));
  CHECK(norm->num_batches_tracked.item<int64_t>() == 3);
  norm->eval(), reference->eval();  // eval: the running statistics
  const auto x = torch::randn({2, 3, 5});
  CHECK(torch::allclose(norm(x), reference(x.permute({0, 2, 1})).permute({0, 2, 1}), 1e-5, 1e-5));
  std::vector<std::string> buffers;
  for (const auto& item : norm->named_buffers()) buffers.push_back(item.key());
  CHECK(buffers == std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
}

TEST_CASE("model.norm_type reaches every norm, and a bad value is one error naming the key", "[norm][config]") {
  auto model = lra::build_model(lra::test::smoke_config("listops", "transformer", {"model.norm_type=batchnorm", "model.layers=2"}));
  int64_t batch_norms = 0;
  for (const auto& item : model->named_buffers())
    if (item.key().find("running_mean") != std::string::npos) ++batch_norms;
  CHECK(batch_norms == 2 * 2 + 1);  // two blocks x two norms, and the final norm (pre-LN)
  CHECK_THROWS_WITH(lra::test::smoke_config("listops", "transformer", {"model.norm_type=groupnorm"}),
                    Catch::Contains("model.norm_type"));
}

TEST_CASE("a model file's paper profile applies its per-task layer after its shared one", "[norm][config]") {
  const auto image = lra::resolve_cell_config({"image", "mega", "paper", {}, ""});
  CHECK(image["model"]["norm_type"] == "batchnorm");
  CHECK(image["model"]["norm"] == "pre");
  CHECK(image["model"]["attention"]["attention_function"] == "laplace");
  CHECK(image["train"]["schedule"] == "linear");  // the shared part
  const auto listops = lra::resolve_cell_config({"listops", "mega", "paper", {}, ""});
  CHECK(listops["model"]["norm_type"] == "layernorm");
  CHECK(listops["model"]["d_model"] == 80);
  CHECK(listops["task"]["pooling"] == "mean");
  // Another profile does not see the paper layer.
  CHECK(lra::test::smoke_config("image", "mega")["model"]["norm_type"] == "layernorm");
}
