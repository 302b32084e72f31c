// Analytic FLOP counts against hand-computed values for a tiny config.
#include "tests/catch_torch.h"

#include "lra/config.h"
#include "models/flops.h"
#include "models/registry.h"

namespace {
lra::Json tiny(const std::string& model, const std::string& task = "text") {
  return lra::resolve_config({task, model, "smoke",
                              {"model.layers=1", "model.d_model=4", "model.heads=2", "model.ffn_dim=8",
                               "model.classifier_dim=4"},
                              ""});
}
}  // namespace

// d=4, f=8, n=16, one layer, K=4 head, C=2 classes, batch 1.
//   FFN 2*2*16*4*8 = 2048; head 2*4*4 + 2*4*2 = 48.
TEST_CASE("softmax attention FLOPs match the hand count", "[flops]") {
  // projections 2*4*16*4*4 = 2048; scores + context 2*2*16*16*4 = 4096
  auto config = tiny("transformer");
  CHECK(lra::softmax_attention_flops(lra::model_config_from(config), 16) == 6144.0);
  CHECK(lra::find_model("transformer").train_step_flops(config, 1, 16) == 3.0 * (6144 + 2048 + 48));
}

TEST_CASE("Luna FLOPs use min(proj_len, n) slots and no N x N term", "[flops]") {
  // l = 16 slots (luna-16, n = 16): projections 2*4*4*(4*16 + 3*16) = 3584; pack 4*16*16*4 = 4096;
  // unpack 4096.
  auto config = tiny("luna-16");
  auto model = lra::model_config_from(config);
  CHECK(lra::luna_attention_flops(model, 16) == 3584.0 + 4096.0 + 4096.0);
  // n = 8 < l: dynamic projection uses 8 slots: projections 2*16*(32 + 24) = 1792; pack = unpack = 4*8*8*4 = 1024
  CHECK(lra::luna_attention_flops(model, 8) == 1792.0 + 2048.0);
  // linear in n once n > l
  double a = lra::luna_attention_flops(model, 1024), b = lra::luna_attention_flops(model, 2048);
  CHECK(b / a == Approx(2.0).epsilon(0.01));
}

TEST_CASE("Linformer FLOPs count the E, F projections along the sequence", "[flops]") {
  // k = 16 (smoke profile): projections 2048; E K + F V 2*2*16*16*4 = 4096; scores + context 4096
  auto config = tiny("linformer");
  CHECK(lra::linformer_attention_flops(lra::model_config_from(config), 16) == 2048.0 + 4096.0 + 4096.0);
}

TEST_CASE("pair tasks count both documents and the wider head", "[flops]") {
  // retrieval: 2 documents; head in = 2d = 8 (concat): 2*8*4 + 2*4*2 = 80
  auto config = tiny("transformer", "retrieval");
  CHECK(lra::find_model("transformer").train_step_flops(config, 2, 16) == 3.0 * 2 * (2 * (6144 + 2048) + 80));
}
