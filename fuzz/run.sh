#!/bin/sh
# Run one fuzz target in the background-friendly way these runs were made:
#   fuzz/run.sh TARGET SECONDS [N]    (log: fuzz/logs/TARGET.N.log)
# The live corpus is fuzz/work/TARGET (new inputs), read together with fuzz/seeds/TARGET
# (fuzz/seed.sh) and fuzz/corpus/TARGET (the committed minimized corpus).
set -u
cd "$(dirname "$0")/.."
t=$1; secs=$2; n=${3:-1}
case $t in
  ruff_frontend) dict=fuzz/ruff.dict ;;
  scheme_frontend) dict=fuzz/scheme.dict ;;
  *) dict=fuzz/all.dict ;;
esac
mkdir -p fuzz/work/$t fuzz/logs fuzz/seeds/$t fuzz/corpus/$t
log=fuzz/logs/$t.$n.log
echo "start $(date -u +%FT%TZ)" > "$log"
# No stack traces for every allocation: ASan's stack depot was the largest cost.
ASAN_OPTIONS=malloc_context_size=0 cargo +nightly fuzz run "$t" fuzz/work/$t fuzz/seeds/$t fuzz/corpus/$t -- \
  -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -dict=$dict -print_final_stats=1 \
  >> "$log" 2>&1
echo "exit $? end $(date -u +%FT%TZ)" >> "$log"
