// Mega: the damped EMA by FFT against its recurrence run step by step, the relative position bias, and
// the whole classifier (mega and mega-chunk; softmax and laplace; every norm type; padding inside and
// after the last chunk) against an independent eager reference in Python (tests/reference/mega_reference.py,
// float64), with a perturbation control.
#include "model_fixtures.h"  // first: see there

#include <cstdlib>
#include <fstream>

#include <torch/torch.h>

#include "attention_reference.h"
#include "python_reference.h"
#include "models/mega/mega.h"
#include "models/state_dict.h"
#include "run_support.h"

namespace {

// y[t] = sum_j gamma_j sqrt(1/J) h_t[j], h_t = sigmoid(delta) beta x_t + (1 - sigmoid(delta) sigmoid(alpha)) h_{t-1}
// per channel (rows `set` * D .. of the parameters); `backward` runs from the end.
torch::Tensor recurrence(lra::MultiHeadEmaImpl& ema, const torch::Tensor& x, int64_t set, bool backward) {
  const int64_t length = x.size(0), d = x.size(1), j = ema.options.n_dim();
  const auto rows = [&](const torch::Tensor& t) { return t.to(torch::kFloat64).narrow(0, set * d, d); };
  const auto p = torch::sigmoid(rows(ema.delta)).squeeze(-1);          // (D,J)
  const auto q = 1.0 - p * torch::sigmoid(rows(ema.alpha)).squeeze(-1);
  const auto in = p * rows(ema.beta).squeeze(-1);
  const auto out = rows(ema.gamma) * std::sqrt(1.0 / static_cast<double>(j));
  const auto x64 = x.to(torch::kFloat64);
  auto h = torch::zeros({d, j}, torch::kFloat64);
  auto y = torch::zeros({length, d}, torch::kFloat64);
  for (int64_t i = 0; i < length; ++i) {
    const int64_t t = backward ? length - 1 - i : i;
    h = in * x64[t].unsqueeze(-1) + q * h;
    y[t] = (h * out).sum(-1);
  }
  return y;
}

}  // namespace

TEST_CASE("the Mega EMA by FFT equals the damped recurrence run step by step", "[mega]") {
  torch::manual_seed(5);
  for (bool bidirectional : {false, true}) {
    INFO("bidirectional " << bidirectional);
    lra::MultiHeadEma ema(lra::MultiHeadEmaOptions(6, 4).bidirectional(bidirectional));
    const int64_t length = 70;
    const auto x = torch::randn({length, 6});
    const auto mask = torch::ones({1, length}, torch::kBool);
    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      y = ema(x.unsqueeze(0), mask)[0];
    }
    // The module returns silu(EMA(x) + omega x).
    auto expected = recurrence(*ema, x, 0, false);
    if (bidirectional) expected += recurrence(*ema, x, 1, true);
    expected = torch::silu(expected + x.to(torch::kFloat64) * ema->omega.to(torch::kFloat64));
    const double scale = expected.abs().max().item<double>();
    REQUIRE(scale > 0.1);
    const double diff = lra::test::max_abs_diff(y.to(torch::kFloat64), expected);
    lra::test::print_maxdiff("mega ema fft vs recurrence", diff, 1e-5 * scale);
    CHECK(diff <= 1e-5 * scale);
  }
}

TEST_CASE("the Mega EMA ignores padded inputs and cuts its kernel at the truncation", "[mega]") {
  torch::manual_seed(6);
  lra::MultiHeadEma ema(lra::MultiHeadEmaOptions(4, 2).truncation(5));
  torch::NoGradGuard no_grad;
  CHECK(ema->kernel(12).sizes() == torch::IntArrayRef({8, 5}));
  auto x = torch::randn({1, 12, 4});
  auto mask = torch::ones({1, 12}, torch::kBool);
  mask.narrow(1, 9, 3).fill_(false);
  const auto y = ema(x, mask);
  auto changed = x.clone();
  changed.narrow(1, 9, 3).normal_();  // other values at the padded positions
  CHECK(torch::allclose(ema(changed, mask).narrow(1, 0, 9), y.narrow(1, 0, 9)));
  // An impulse at t = 0 reaches t = 4 (lag 4 < 5) but not t = 5 (beyond the truncation).
  auto impulse = torch::zeros({1, 12, 4});
  impulse[0][0].fill_(1.0);
  const auto response = ema(impulse, torch::ones({1, 12}, torch::kBool)) - torch::silu(torch::zeros({}));
  CHECK(response[0][4].abs().max().item<double>() > 1e-6);
  CHECK(response[0][5].abs().max().item<double>() < 1e-7);
}

TEST_CASE("the relative position bias reads table[M - 1 + j - i]", "[mega]") {
  const auto table = torch::arange(9, torch::kFloat32);  // M = 5
  const auto bias = lra::relative_position_bias(table, 3);
  CHECK(bias[0][0].item<float>() == 4.0f);
  CHECK(bias[0][2].item<float>() == 6.0f);
  CHECK(bias[2][0].item<float>() == 2.0f);
  CHECK(bias[1][2].item<float>() == 5.0f);
  CHECK_THROWS(lra::relative_position_bias(table, 6));
}

TEST_CASE("Mega logits equal an independent eager reference in Python (float64, EMA recurrence)",
          "[mega][parity][python]") {
  struct Case {
    const char* model;
    const char* norm;
    const char* norm_type;
    const char* function;
    int chunk;
    int truncation;
  };
  for (const Case c : {Case{"mega", "post", "layernorm", "softmax", 0, 0},
                       Case{"mega-chunk", "pre", "batchnorm", "laplace", 16, 0},
                       Case{"mega-chunk", "post", "scalenorm", "softmax", 16, 7}}) {
    INFO(c.model << " " << c.norm << " " << c.norm_type << " " << c.function << " truncation " << c.truncation);
    const bool pre = std::string(c.norm) == "pre";
    const auto config = lra::test::smoke_config(
        "listops", c.model,
        {"model.d_model=24", "model.layers=2", "model.ffn_dim=40", "model.attention.z_dim=12",
         "model.attention.hidden_dim=20", "model.attention.n_dim=3", std::string("model.norm=") + c.norm,
         std::string("model.norm_type=") + c.norm_type, std::string("model.final_layer_norm=") + (pre ? "true" : "false"),
         std::string("model.attention.attention_function=") + c.function,
         "model.attention.chunk_size=" + std::to_string(c.chunk), "model.attention.truncation=" + std::to_string(c.truncation)});
    torch::manual_seed(13);
    auto model = lra::build_model(config);
    {
      torch::NoGradGuard no_grad;  // trained-looking weights and statistics
      for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.1);
      for (auto& item : model->named_buffers()) {
        if (item.key().find("running_mean") != std::string::npos) item.value().normal_(0.0, 0.1);
        if (item.key().find("running_var") != std::string::npos) item.value().uniform_(0.5, 1.5);
      }
    }
    const auto task = lra::task_info_from_config(config);
    // 40 tokens: with chunks of 16 the last chunk is half padding; the shorter rows pad inside chunks.
    const lra::Batch batch = lra::test::make_test_batch(task, {40, 17, 33}, 40, 5);
    const auto parity = lra::test::python_parity(
        model, batch, "mega_reference.py",
        {{"layers", 2}, {"pre_norm", pre}, {"norm_type", c.norm_type}, {"z_dim", 12}, {"hidden_dim", 20}, {"n_dim", 3},
         {"chunk_size", c.chunk}, {"truncation", c.truncation}, {"attention_function", c.function},
         {"bidirectional", true}},
        "mega_parity");
    lra::test::print_maxdiff("mega logits vs python reference", parity.max_abs_diff, 1e-5);
    CHECK(parity.max_abs_diff <= 1e-5);
    CHECK(parity.perturbed_max_abs_diff > 1e-4);  // the control: 0.5 added to one channel's EMA gamma is seen
    CHECK(parity.max_abs_logit > 0.1);
  }
}

TEST_CASE("Mega-chunk's cost per token stays flat with length, Mega's grows", "[mega]") {
  const auto config = lra::test::smoke_config("listops", "mega-chunk", {});
  const auto model = lra::model_config_from(config);
  const auto& chunked = lra::find_model("mega-chunk");
  const double per_token_1k = chunked.attention_flops(model, 1024) / 1024.0;
  const double per_token_8k = chunked.attention_flops(model, 8192) / 8192.0;
  CHECK(per_token_8k < 1.5 * per_token_1k);  // only the FFT's log factor grows
  auto whole = model;
  whole.attention["chunk_size"] = 0;
  CHECK(chunked.attention_flops(whole, 8192) / 8192.0 > 4.0 * chunked.attention_flops(whole, 1024) / 1024.0);
}
