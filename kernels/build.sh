#!/usr/bin/env bash
# Compiles every kernel family to PTX for compute_80 (kernels/ptx/<family>.sm_80.ptx), lowers each module's
# .version to the oldest PTX ISA its instructions need (ptx-isa.tsv), then checks each PTX with ptxas for sm_80
# and sm_90: the resource report goes to kernels/ptx/<family>.<arch>.ptxas.txt and the build fails if ptxas
# rejects the lowered module or any kernel spills. Deterministic: the PTX carries no paths or timestamps (no
# -lineinfo/-G), so rerunning on unchanged sources leaves every file byte-identical.
#
#   kernels/build.sh                      # needs nvcc and ptxas (CUDA 12.x/13.x) on PATH
#   OLD_PTXAS=/path/to/ptxas kernels/build.sh
#       also assembles every module with an older toolkit's ptxas (e.g. CUDA 11.8's): evidence that the JIT of
#       older drivers, which is that ptxas, accepts the lowered PTX. Writes nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
out=ptx
mkdir -p "$out"
families=(linear gemv prefill decode kv probe)
nvcc_flags=(-ptx -arch=compute_80 -std=c++17 -O3 -Xptxas=-O3 --expt-relaxed-constexpr)

# The oldest PTX ISA (e.g. 7.0) that every statement of a PTX module needs, per ptx-isa.tsv; fails naming any
# statement the table does not know. A statement is an instruction's opcode with its modifiers, a directive, or
# ".target <arch>"; comments, labels, predicates, braces and operands are not part of it.
lowest_isa() {
  awk -F'\t' '
    FNR == NR { if ($0 !~ /^#/ && NF >= 2) { pat[++n] = $1; isa[n] = $2 } next }
    {
      sub(/\/\/.*/, "")
      k = split($0, stmts, ";")
      for (s = 1; s <= k; s++) {
        t = stmts[s]
        gsub(/^[ \t{}]+/, "", t)
        sub(/^\$[A-Za-z0-9_]+:[ \t]*/, "", t)   # a label
        sub(/^@!?%[a-z0-9_]+[ \t]+/, "", t)      # a predicate guard
        gsub(/^[ \t{}]+/, "", t)
        if (t !~ /^[a-z.]/) continue
        split(t, w, /[ \t(]+/)
        key = w[1]
        if (key == ".version") continue
        if (key == ".target") key = key " " w[2]
        for (i = 1; i <= n; i++) if (key ~ pat[i]) break
        if (i > n) { print "ptx-isa.tsv has no row for \"" key "\" (" FILENAME ":" FNR "): look it up in the PTX ISA reference and add it" > "/dev/stderr"; bad = 1; continue }
        split(isa[i], v, ".")
        need = v[1] * 10 + v[2]
        if (need > best) best = need
      }
    }
    END { if (bad || best == 0) exit 1; printf "%d.%d\n", int(best / 10), best % 10 }
  ' ptx-isa.tsv "$1"
}

status=0
for f in "${families[@]}"; do
  ptx="$out/$f.sm_80.ptx"
  nvcc "${nvcc_flags[@]}" -o "$ptx.tmp" "$f.cu"
  # nvcc 13 declares .version 9.0 whatever the module uses, and drivers older than R580 refuse to JIT that;
  # the lowered version says what the module really needs. nvcc's banner (which toolkit made the file) stays.
  isa=$(lowest_isa "$ptx.tmp") || { echo "  in $f.cu" >&2; rm -f "$ptx.tmp"; exit 1; }
  emitted=$(sed -n 's/^\.version \([0-9.]*\)$/\1/p' "$ptx.tmp")
  sed -i "s|^\.version $emitted\$|// .version $emitted lowered to $isa by kernels/build.sh (ptx-isa.tsv): the oldest PTX ISA this module needs\n.version $isa|" "$ptx.tmp"
  mv "$ptx.tmp" "$ptx"
  for arch in sm_80 sm_90; do
    report="$out/$f.$arch.ptxas.txt"
    # Keep the report reproducible too: drop ptxas's timing lines.
    if ! ptxas -arch="$arch" -O3 -v -o /dev/null "$ptx" > "$report.tmp" 2>&1; then
      cat "$report.tmp" >&2
      echo "  ptxas rejected $ptx (PTX ISA $isa) for $arch" >&2
      rm -f "$report.tmp"
      exit 1
    fi
    sed -e 's/^ptxas info    : //' "$report.tmp" | grep -v '^Compile time' > "$report"
    rm -f "$report.tmp"
    # Any non-zero stack frame or spill count, per kernel, fails the build.
    if ! awk '/Compiling entry/ { fn = $4 }
              /stack frame/ && ($1 != 0 || $5 != 0 || $9 != 0) { print "SPILL: " fn " " $0; bad = 1 }
              END { exit bad }' "$report" >&2; then
      echo "  in $f for $arch (see $report)" >&2
      status=1
    fi
  done
  if [ -n "${OLD_PTXAS:-}" ]; then
    "$OLD_PTXAS" -arch=sm_80 -O3 -o /dev/null "$ptx" || { echo "  $OLD_PTXAS rejected $ptx" >&2; status=1; }
  fi
  echo "built $ptx (PTX ISA $isa)"
done
exit $status
