#!/usr/bin/env bash
# Issue 7 item 4: the national dashboard and the national assessment report at the scale of
# 10,000 recognised clusters × 100 enterprises × 5 years, on SQLite and on PostgreSQL, in a
# release build. Usage:
#
#   scripts/bench-dashboard.sh [sqlite|postgres] [CLUSTERS] [ENTERPRISES] [YEARS]
#
# Loads the data with `jiqun load-generated` (through the store functions, so the indicator
# table is written as in production), starts `jiqun serve`, logs in as a ministry account and
# times GET /dashboard (first request, then the median of 5), the filtered dashboard of one
# province, the .xlsx download of one chart, and `jiqun report assessment --year 2025`.
# Baseline, measured in the same run on the same database: GET /healthz (one round trip
# through the router and a `SELECT 1`), so the figures can be read as ratios on any machine.
# PostgreSQL: database jiqun_bench on 127.0.0.1:5432 (dropped and recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-sqlite}
clusters=${2:-10000}
enterprises=${3:-100}
years=${4:-5}
port=${BENCH_PORT:-18090}
work=${BENCH_DIR:-target/bench-dashboard-$kind}
bin="${CARGO_TARGET_DIR:-target}/release/jiqun"

cargo build --release -q -p jiqun
# BENCH_REUSE=1: measure again on the database a previous run loaded (after a code change).
reuse=${BENCH_REUSE:-0}
[ "$reuse" = 1 ] || { rm -rf "$work" && mkdir -p "$work"; }
db_args=(--data-dir "$work/data")
if [ "$kind" = postgres ] && [ "$reuse" != 1 ]; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS jiqun_bench' \
        -c 'CREATE DATABASE jiqun_bench'
fi
if [ "$kind" = postgres ]; then
    db_args=(--database-url postgres://postgres@127.0.0.1:5432/jiqun_bench)
fi

ms() { date +%s%3N; }

if [ "$reuse" != 1 ]; then
echo "== load: $clusters clusters × $enterprises enterprises × $years years ($kind)"
t0=$(ms)
"$bin" load-generated "${db_args[@]}" --clusters "$clusters" --enterprises "$enterprises" \
    --years "$years" 2> >(grep -E '/(500|1000|5000|10000) |VACUUM' >&2 || true)
t1=$(ms)
echo "load: $(( (t1 - t0) / 1000 )) s"
if [ "$kind" = sqlite ]; then
    echo "database file: $(du -h "$work/data/jiqun.db" | cut -f1)"
else
    psql -qtA -h 127.0.0.1 -U postgres -d jiqun_bench \
        -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('jiqun_bench'))" \
        -c "SELECT 'server autovacuum: ' || current_setting('autovacuum')"
fi

printf 'Bench-2026-password\n' | "$bin" user add "${db_args[@]}" --org MIIT --role ministry \
    --name benchadmin --password-stdin >/dev/null
fi

"$bin" serve "${db_args[@]}" --bind "127.0.0.1:$port" --no-scheduler >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.5
done

jar="$work/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null -w '' \
    --data-urlencode "csrf=$csrf" --data-urlencode username=benchadmin \
    --data-urlencode password=Bench-2026-password "http://127.0.0.1:$port/login"

# seconds (3 decimals) of one GET, failing on a non-200 answer
get() {
    local out
    out=$(curl -s -b "$jar" -o "$work/last.body" -w '%{http_code} %{time_total}' "http://127.0.0.1:$port$1")
    [ "${out%% *}" = 200 ] || { echo "GET $1 answered ${out%% *}" >&2; head -c 600 "$work/last.body" >&2; exit 1; }
    echo "${out#* }"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

base=$(for _ in 1 2 3 4 5; do get /healthz; done | median)
first=$(get /dashboard)
grep -q '<svg' "$work/last.body" || { echo "dashboard has no chart" >&2; exit 1; }
dash=$(for _ in 1 2 3 4 5; do get /dashboard; done | median)
prov=$(for _ in 1 2 3; do get '/dashboard?province=330000'; done | median)
echo "GET /healthz (baseline, median of 5):     ${base} s"
echo "GET /dashboard first request:             ${first} s"
echo "GET /dashboard (median of 5):             ${dash} s  = $(awk "BEGIN {printf \"%.0f\", $dash / $base}")× baseline, budget 1 s"
echo "GET /dashboard?province=330000 (median 3): ${prov} s"

t0=$(ms)
"$bin" report assessment "${db_args[@]}" --year 2025 --out "$work/report.docx" >/dev/null
t1=$(ms)
rep=$(awk "BEGIN {printf \"%.3f\", ($t1 - $t0) / 1000}")
echo "jiqun report assessment --year 2025:      ${rep} s  = $(awk "BEGIN {printf \"%.0f\", $rep / $base}")× baseline, budget 10 s ($(du -h "$work/report.docx" | cut -f1))"
if grep -E ' ERROR ' "$work/serve.log"; then
    echo "the server logged errors" >&2
    exit 1
fi
