#!/bin/sh
# Seed the fuzz corpora from the conformance programs and the hostile programs:
#   fuzz/seed.sh [DIR]   (default: fuzz/seeds; one subdirectory per target)
# ruff_frontend takes a Ruff text as is; the other targets take a selector byte first
# (`tandem::fuzz_entry::Selector`): r = Ruff, s = Scheme, j = Jue.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/fuzz/seeds}
mkdir -p "$out/ruff_frontend" "$out/scheme_frontend" "$out/run_limited" "$out/jit_vs_interp"
for f in "$root"/tests/programs/ruff/*.ruff "$root"/tests/hostile/*.ruff; do
  n=$(basename "$f" .ruff)
  cp "$f" "$out/ruff_frontend/$n"
  for t in run_limited jit_vs_interp; do
    { printf r; cat "$f"; } > "$out/$t/r-$n"
  done
done
for f in "$root"/tests/programs/scheme/*.scm "$root"/tests/hostile/*.scm; do
  n=$(basename "$f" .scm)
  for t in scheme_frontend run_limited jit_vs_interp; do
    { printf s; cat "$f"; } > "$out/$t/s-$n"
  done
done
for f in "$root"/tests/programs/jue/*.jue; do
  n=$(basename "$f" .jue)
  for t in scheme_frontend run_limited jit_vs_interp; do
    { printf j; cat "$f"; } > "$out/$t/j-$n"
  done
done
for t in ruff_frontend scheme_frontend run_limited jit_vs_interp; do
  echo "$t: $(ls "$out/$t" | wc -l) seeds"
done
