#!/usr/bin/env bash
# Compiles every kernel family to PTX for compute_80 (kernels/ptx/<family>.sm_80.ptx), then checks each PTX
# with ptxas for sm_80 and sm_90: the resource report goes to kernels/ptx/<family>.<arch>.ptxas.txt and the
# build fails if any kernel spills. Deterministic: the PTX carries no paths or timestamps (no -lineinfo/-G),
# so rerunning on unchanged sources leaves every file byte-identical.
#
#   kernels/build.sh            # needs nvcc and ptxas (CUDA 12.x/13.x) on PATH
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
out=ptx
mkdir -p "$out"
families=(linear gemv prefill decode kv)
nvcc_flags=(-ptx -arch=compute_80 -std=c++17 -O3 -Xptxas=-O3 --expt-relaxed-constexpr)

status=0
for f in "${families[@]}"; do
  ptx="$out/$f.sm_80.ptx"
  nvcc "${nvcc_flags[@]}" -o "$ptx.tmp" "$f.cu"
  # The only build-specific text nvcc writes is its own version banner; keep it (it names the toolkit that
  # made the file) and drop nothing else, so identical inputs give identical bytes.
  mv "$ptx.tmp" "$ptx"
  for arch in sm_80 sm_90; do
    report="$out/$f.$arch.ptxas.txt"
    # Keep the report reproducible too: drop ptxas's timing lines.
    ptxas -arch="$arch" -O3 -v -o /dev/null "$ptx" 2>&1 | sed -e 's/^ptxas info    : //' | grep -v '^Compile time' > "$report"
    # Any non-zero stack frame or spill count, per kernel, fails the build.
    if ! awk '/Compiling entry/ { fn = $4 }
              /stack frame/ && ($1 != 0 || $5 != 0 || $9 != 0) { print "SPILL: " fn " " $0; bad = 1 }
              END { exit bad }' "$report" >&2; then
      echo "  in $f for $arch (see $report)" >&2
      status=1
    fi
  done
  echo "built $ptx"
done
exit $status
