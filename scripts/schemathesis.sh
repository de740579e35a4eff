#!/usr/bin/env bash
# Property-based API test (docs/api.md): builds jiqun (debug), makes a demo database in a
# temporary directory, creates API tokens with `jiqun token create`, starts `jiqun serve`
# on it and runs schemathesis (PyPI, pinned, in a venv under target/) against
# /api/v1/openapi.json — once with a read-write token of a province and once with a
# county's. Fails on any 5xx answer (check not_a_server_error) and on any ERROR line in
# the server's log.
#
#   scripts/schemathesis.sh            # as CI runs it (.ci/run)
#   MAX_EXAMPLES=50 scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
MAX_EXAMPLES="${MAX_EXAMPLES:-40}"
PORT="${SCHEMATHESIS_PORT:-18089}"
TARGET="${CARGO_TARGET_DIR:-target}"
VENV="$TARGET/schemathesis-venv"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jiqun-schemathesis.XXXXXX")"
LOG="$WORK/server.log"
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== schemathesis: build (debug)"
cargo build --locked -q -p jiqun
JIQUN="$TARGET/debug/jiqun"

echo "== schemathesis: venv with schemathesis $SCHEMATHESIS_VERSION"
# Recreated when missing, of another version, or unusable (a venv's scripts name the path
# it was made at, so a moved or copied target directory breaks them).
if ! "$VENV/bin/st" --version >/dev/null 2>&1 || ! "$VENV/bin/python" -m pip show schemathesis 2>/dev/null | grep -qx "Version: $SCHEMATHESIS_VERSION"; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "== schemathesis: demo database and tokens"
"$JIQUN" demo --no-serve --data-dir "$WORK/data" >/dev/null
token() {
    "$JIQUN" token create --data-dir "$WORK/data" --user "$1" --scope write --days 30 \
        --name "schemathesis" | grep '^jqt_'
}
PROVINCE_TOKEN="$(token zhejiang)"
COUNTY_TOKEN="$(token changshu)"

echo "== schemathesis: server on 127.0.0.1:$PORT"
JIQUN_LOG_FORMAT=json NO_COLOR=1 "$JIQUN" serve --data-dir "$WORK/data" --bind "127.0.0.1:$PORT" \
    --no-scheduler >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null

status=0
for who in province county; do
    if [ "$who" = province ]; then TOKEN="$PROVINCE_TOKEN"; else TOKEN="$COUNTY_TOKEN"; fi
    echo "== schemathesis: $who token, $MAX_EXAMPLES examples per operation"
    # Only /api/v1 (the /tokens pages are HTML forms for a browser session).
    "$VENV/bin/st" --no-color run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
        --url "http://127.0.0.1:$PORT" \
        --header "Authorization: Bearer $TOKEN" \
        --include-path-regex '^/api/v1/' \
        --checks not_a_server_error \
        --max-examples "$MAX_EXAMPLES" \
        --seed 20221 \
        || status=$?
done

if grep -E ' ERROR |"level":"ERROR"' "$LOG" >/dev/null; then
    echo "schemathesis: the server logged errors:"
    grep -E ' ERROR |"level":"ERROR"' "$LOG" | head -n 20
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "schemathesis: FAILED (status $status); server log: last lines"
    tail -n 30 "$LOG"
fi
exit "$status"
