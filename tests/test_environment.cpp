// The environment block and version text every report and `lra --version` carry.
#include "tests/catch_torch.h"

#include "lra/runtime/environment.h"

TEST_CASE("the environment block carries version, commit, libtorch, threads, BLAS and allocator", "[environment]") {
  lra::configure_threads(2);
  auto env = lra::environment_block("cpu");
  for (const char* key : {"lra_version", "git_commit", "libtorch_version", "device", "threads", "blas",
                          "memory_allocator", "hostname", "date_utc", "command_line"})
    CHECK(env.contains(key));
  CHECK(env["threads"] == 2);
  CHECK(env["device"] == "cpu");
}

TEST_CASE("the BLAS in use is detected and the reference BLAS would be flagged", "[environment]") {
  auto blas = lra::detect_blas();
  INFO("BLAS: " << blas.name << " " << blas.path);
  CHECK_FALSE(blas.name.empty());
  CHECK(lra::blas_warning({"OpenBLAS (openmp)", "/x"}).empty());
  CHECK(lra::blas_warning({"reference BLAS", "/usr/lib/libblas.so.3"}).find("libopenblas0-openmp") !=
        std::string::npos);
}
