#!/usr/bin/env bash
# Installs (with apt, only what is missing) every Debian package that the build, the tests and
# run_all.sh need. Idempotent and quiet when nothing is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache git pkg-config
  libtorch-dev            # libtorch 1.13 (CPU)
  libopenblas0-openmp     # without it libtorch's matmul falls back to reference BLAS (~10x slower)
  libblas-dev             # cblas.h and libblas.so (-> OpenBLAS) for the fused attention's GEMMs
  libjemalloc2            # runtime.allocator=jemalloc (the default): no re-faulting, bounded RSS
  libgloo-dev             # c10d ProcessGroupGloo headers (multi-process training)
  nlohmann-json3-dev libcli11-dev catch2 libbenchmark-dev libpng-dev
  libssl-dev              # SHA-256 of a TorchScript mixer file (models/script), in its run reports
  zlib1g-dev              # gzip reader for the Fashion-MNIST IDX files (tasks/image)
  gnuplot-nox             # lra plot
  dataset-fashion-mnist   # the offline Image substitute
  linux-doc-6.1           # the kernel-docs real-text Text and Retrieval substitutes (Documentation/*.rst)
  slurm-wlm munge         # the Slurm sweep tests' one-node cluster on localhost (scripts/slurm_local.sh)
  python3                 # reads run reports in the shell tests (torture_resume.sh, tests/slurm)
)
# Optional: Debian's PyTorch, only for the cross-check tests (never a runtime dependency).
optional=(python3-torch)

missing=()
for p in "${packages[@]}" "${optional[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
