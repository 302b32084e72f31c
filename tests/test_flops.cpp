// Analytic FLOP counts against hand-computed values for a tiny config.
#include "tests/catch_torch.h"

#include "lra/config/config.h"
#include "models/attention/linear_transformer.h"
#include "models/attention/linformer.h"
#include "models/attention/local.h"
#include "models/attention/luna.h"
#include "models/attention/nystromformer.h"
#include "models/attention/performer.h"
#include "models/attention/softmax.h"
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

// The variants at d=4, 2 heads (E=2), n=16, with the smoke profile's sizes (performer 16 features,
// nystromformer 4 landmarks and conv_kernel 33, local window 4). Projections are 2048 as above.
TEST_CASE("Performer FLOPs count the feature maps, the (M,E) context and the normaliser", "[flops]") {
  // W x^ for Q and K 2*2*16*16*4 = 4096; phi(K)^T V and phi(Q)(.) 2*2*16*16*4 = 4096;
  // normaliser 2*16*16*2 = 1024
  auto config = tiny("performer");
  auto model = lra::model_config_from(config);
  CHECK(lra::performer_attention_flops(model, 16) == 2048.0 + 4096.0 + 4096.0 + 1024.0);
  CHECK(lra::find_model("performer").train_step_flops(config, 1, 16) == 3.0 * (11264 + 2048 + 48));
  CHECK(lra::performer_attention_flops(model, 2048) == 2.0 * lra::performer_attention_flops(model, 1024));
}

TEST_CASE("Linear Transformer FLOPs count the (E,E) context per head", "[flops]") {
  // phi(K)^T V and phi(Q)(.) 2*2*16*2*4 = 512; normaliser 2*16*4 = 128
  CHECK(lra::linear_attention_flops(lra::model_config_from(tiny("linear-transformer")), 16) == 2048.0 + 512.0 + 128.0);
}

TEST_CASE("Nystromformer FLOPs count landmarks, kernels, pseudo-inverse and convolution", "[flops]") {
  // m = 4: landmark means 2*2*4*16*4 = 1024; Q K~^T, Q~ K^T, B~ V 2*3*16*4*4 = 1536; Q~ K~^T 2*4*4*4 = 128;
  // pinv 6 steps * 4 products * 2*4^3 * 2 heads = 6144; Z (B~ V) 128; F~ (.) 2*16*4*4 = 512;
  // depthwise conv 2*16*33*4 = 4224
  auto model = lra::model_config_from(tiny("nystromformer"));
  CHECK(lra::nystrom_attention_flops(model, 16) == 2048.0 + 1024 + 1536 + 128 + 6144 + 128 + 512 + 4224);
}

TEST_CASE("local attention FLOPs count whole windows of min(window, n) tokens", "[flops]") {
  auto model = lra::model_config_from(tiny("local"));
  // n = 16, w = 4: scores + context 2*2*16*4*4 = 1024
  CHECK(lra::local_attention_flops(model, 16) == 2048.0 + 1024.0);
  // n = 10: projections 2*4*10*16 = 1280; padded to 12: 2*2*12*4*4 = 768
  CHECK(lra::local_attention_flops(model, 10) == 1280.0 + 768.0);
  // n = 3 < window: one window of 3: projections 384; 2*2*3*3*4 = 144
  CHECK(lra::local_attention_flops(model, 3) == 384.0 + 144.0);
}
