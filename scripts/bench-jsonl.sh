#!/usr/bin/env bash
# Bulk-evaluation benchmark (issue 3, item 9; docs/performance.md "Criteria engine").
#
# Generates CLUSTERS × ENTERPRISES × YEARS synthetic declarations as JSON lines, then times
# (release build, best of RUNS)
#   1. `jiqun evaluate --jsonl FILE > /dev/null`           (parse + evaluate + write results)
#   2. `parse_baseline < FILE`                             (serde_json::Value per line, nothing else)
# and reports clusters/s, MB/s, peak RSS and the ratio 1 ÷ 2 (requirement: ≤ 2), plus the
# ratio of instruction counts under callgrind on the first INSTR_LINES lines (0 to skip).
#
# Usage: scripts/bench-jsonl.sh            (10,000 clusters × 100 enterprises × 3 years)
#        CLUSTERS=1000 RUNS=1 scripts/bench-jsonl.sh
# Environment: CLUSTERS ENTERPRISES YEARS SEED RUNS INSTR_LINES WORKDIR CARGO_TARGET_DIR
set -euo pipefail

CLUSTERS=${CLUSTERS:-10000}
ENTERPRISES=${ENTERPRISES:-100}
YEARS=${YEARS:-3}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORKDIR=${WORKDIR:-$(mktemp -d)}
DATA=$WORKDIR/bench-${CLUSTERS}x${ENTERPRISES}x${YEARS}-s${SEED}.jsonl

cd "$ROOT"
echo "== building (release) into $TARGET" >&2
CARGO_TARGET_DIR=$TARGET cargo build --release --quiet -p jiqun --bin jiqun
CARGO_TARGET_DIR=$TARGET cargo build --release --quiet -p jiqun-domain --example parse_baseline
JIQUN=$TARGET/release/jiqun
BASELINE=$TARGET/release/examples/parse_baseline

if [[ ! -s $DATA ]]; then
  echo "== generating $DATA" >&2
  "$JIQUN" generate --clusters "$CLUSTERS" --enterprises "$ENTERPRISES" --years "$YEARS" \
    --seed "$SEED" --out "$DATA"
fi
BYTES=$(stat -c %s "$DATA")
LINES=$(wc -l < "$DATA")
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "== input: $LINES lines, $MB MB" >&2

# measure CMD... → prints "seconds peak_kib" for one run (stdin from $DATA, stdout discarded).
measure() {
  if [[ -x /usr/bin/time ]]; then
    local log
    log=$(mktemp)
    /usr/bin/time -v -o "$log" "$@" < "$DATA" > /dev/null
    awk -F': ' '
      /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; secs = s }
      /Maximum resident set size/ { rss = $2 }
      END { printf "%.3f %d\n", secs, rss }' "$log"
    rm -f "$log"
  else
    # No GNU time: wall time from date, peak RSS by polling VmHWM in /proc.
    local start end pid peak=0 hwm
    start=$(date +%s.%N)
    "$@" < "$DATA" > /dev/null &
    pid=$!
    while kill -0 "$pid" 2> /dev/null; do
      hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
      [[ -n $hwm && $hwm -gt $peak ]] && peak=$hwm
      sleep 0.05
    done
    wait "$pid"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" -v p="$peak" 'BEGIN { printf "%.3f %d\n", b - a, p }'
  fi
}

# Runs of the two commands alternate (evaluate, baseline, evaluate, …) so that load from
# other processes hits both alike; the fastest run of each counts, RSS is the largest.
echo "== timing jiqun evaluate --jsonl and the serde_json::Value baseline, alternating, best of $RUNS" >&2
EVAL_S="" EVAL_RSS=0 BASE_S="" BASE_RSS=0
for ((i = 1; i <= RUNS; i++)); do
  read -r s rss < <(measure "$JIQUN" evaluate --jsonl -)
  echo "   run $i: evaluate ${s}s ${rss}KiB" >&2
  if [[ -z $EVAL_S ]] || awk -v a="$s" -v b="$EVAL_S" 'BEGIN { exit !(a < b) }'; then EVAL_S=$s; fi
  if ((rss > EVAL_RSS)); then EVAL_RSS=$rss; fi
  read -r s rss < <(measure "$BASELINE")
  echo "   run $i: baseline ${s}s ${rss}KiB" >&2
  if [[ -z $BASE_S ]] || awk -v a="$s" -v b="$BASE_S" 'BEGIN { exit !(a < b) }'; then BASE_S=$s; fi
  if ((rss > BASE_RSS)); then BASE_RSS=$rss; fi
done

# Instruction counts (callgrind) on the first INSTR_LINES lines: repeatable on a busy
# machine, where wall-clock ratios move with the load.
INSTR_RATIO=""
if [[ ${INSTR_LINES:-50} -gt 0 ]] && command -v valgrind > /dev/null; then
  echo "== counting instructions (callgrind) on the first ${INSTR_LINES:-50} lines" >&2
  head -n "${INSTR_LINES:-50}" "$DATA" > "$WORKDIR/instr.jsonl"
  ir() {
    valgrind --tool=callgrind --callgrind-out-file="$WORKDIR/cg.out" "$@" \
      < "$WORKDIR/instr.jsonl" > /dev/null 2> /dev/null
    awk '/^summary:/ { print $2 }' "$WORKDIR/cg.out"
  }
  EVAL_IR=$(ir "$JIQUN" evaluate --jsonl -)
  BASE_IR=$(ir "$BASELINE")
  INSTR_RATIO=$(awk -v a="$EVAL_IR" -v b="$BASE_IR" 'BEGIN { printf "%.2f", a / b }')
  echo "instructions: evaluate $EVAL_IR, baseline $BASE_IR, ratio $INSTR_RATIO" >&2
fi

awk -v c="$LINES" -v mb="$MB" -v ir="$INSTR_RATIO" \
  -v es="$EVAL_S" -v er="$EVAL_RSS" -v bs="$BASE_S" -v br="$BASE_RSS" '
BEGIN {
  printf "| run | wall s | clusters/s | MB/s | peak RSS MiB |\n"
  printf "|---|---:|---:|---:|---:|\n"
  printf "| `jiqun evaluate --jsonl` | %.2f | %.0f | %.1f | %.1f |\n", es, c / es, mb / es, er / 1024
  printf "| serde_json::Value baseline | %.2f | %.0f | %.1f | %.1f |\n", bs, c / bs, mb / bs, br / 1024
  ratio = es / bs
  printf "\nratio evaluate / baseline (wall clock): %.2f (requirement ≤ 2.00: %s)\n", ratio, ratio <= 2 ? "met" : "NOT met"
  if (ir != "") printf "ratio evaluate / baseline (instructions, callgrind): %s\n", ir
  exit ratio <= 2 ? 0 : 1
}'
