// The parallel batched matrix product (models/batched_matmul.h) against torch::matmul: values and
// gradients for contiguous, transposed and expanded (stride 0) operands, and the fallback cases.
#include "tests/model_fixtures.h"

#include <string>

#include <torch/torch.h>

#include "models/batched_matmul.h"
#include "models/cpu_gemm.h"

using lra::test::max_abs_diff;

namespace {

bool used_parallel_path(const torch::Tensor& out) {
  return out.grad_fn() && out.grad_fn()->name().find("BatchedMatmul") != std::string::npos;
}

// Product and both gradients of a @ b, for the function under test and for torch::matmul.
void check_against_matmul(const torch::Tensor& a0, const torch::Tensor& b0, bool expect_parallel) {
  auto run = [&](bool ours) {
    auto a = a0.detach().clone().requires_grad_(true);  // clone keeps a0's strides (transposed views)
    auto b = b0.detach().clone().requires_grad_(true);
    auto out = ours ? lra::batched_matmul(a, b) : torch::matmul(a, b);
    if (ours) CHECK(used_parallel_path(out) == expect_parallel);
    (out * torch::linspace(-1, 1, out.numel()).view(out.sizes())).sum().backward();
    return std::make_tuple(out.detach(), a.grad(), b.grad());
  };
  const auto [out, da, db] = run(true);
  const auto [ref, da_ref, db_ref] = run(false);
  CHECK(max_abs_diff(out, ref) < 1e-5);
  CHECK(max_abs_diff(da, da_ref) < 1e-5);
  CHECK(max_abs_diff(db, db_ref) < 1e-5);
}

}  // namespace

TEST_CASE("batched_matmul equals torch::matmul, values and gradients", "[models][batched_matmul]") {
  if (!lra::cpu_gemm_available())
    FAIL("this build has no cblas, so the fused CPU kernels are not built: run scripts/setup.sh (installs "
         "libopenblas-dev) and rebuild");
  torch::manual_seed(3);
  SECTION("contiguous (B,H,M,K) @ (B,H,K,N)") {
    check_against_matmul(torch::randn({4, 3, 5, 7}), torch::randn({4, 3, 7, 2}), true);
  }
  SECTION("3-d batches, a column vector as b (a normaliser)") {
    check_against_matmul(torch::randn({12, 9, 6}), torch::randn({12, 6, 1}), true);
  }
  SECTION("transposed operands are read in place") {
    const auto a = torch::randn({4, 3, 7, 5}).transpose(-2, -1);  // (4,3,5,7), column-major matrices
    const auto b = torch::randn({4, 3, 2, 7}).transpose(-2, -1);  // (4,3,7,2)
    check_against_matmul(a, b, true);
  }
  SECTION("split_heads-style strided views (rows D apart)") {
    const auto a = torch::randn({4, 11, 3, 5}).transpose(1, 2);  // (4,3,11,5)
    const auto b = torch::randn({4, 5, 3, 6}).transpose(1, 2);   // (4,3,5,6)
    check_against_matmul(a, b, true);
  }
  SECTION("an operand expanded over heads (stride 0) gets the summed gradient") {
    const auto base = torch::randn({4, 1, 3, 9}).requires_grad_(true);
    const auto q = torch::randn({4, 5, 9, 2});
    auto ours = lra::batched_matmul(base.expand({4, 5, 3, 9}), q);
    CHECK(used_parallel_path(ours));
    ours.sum().backward();
    const auto ours_grad = base.grad().clone();
    base.mutable_grad().reset();
    torch::matmul(base, q).sum().backward();
    CHECK(max_abs_diff(ours_grad, base.grad()) < 1e-5);
  }
}

TEST_CASE("batched_matmul falls back to torch::matmul where the parallel path does not apply", "[models][batched_matmul]") {
  torch::manual_seed(4);
  SECTION("broadcast batch dims") { check_against_matmul(torch::randn({4, 1, 5, 7}), torch::randn({4, 3, 7, 2}), false); }
  SECTION("2-d operand") { check_against_matmul(torch::randn({4, 3, 5, 7}), torch::randn({7, 2}), false); }
  SECTION("fewer matrices than two per thread") { check_against_matmul(torch::randn({1, 5, 7}), torch::randn({1, 7, 2}), false); }
  SECTION("float64") {
    const auto out = lra::batched_matmul(torch::randn({8, 2, 3}, torch::kDouble), torch::randn({8, 3, 4}, torch::kDouble));
    CHECK(out.scalar_type() == torch::kDouble);
  }
}
