#!/usr/bin/env python3
"""Validate the code tables in ../ (the crates/store/data folder).

Usage: python3 validate_tables.py [DATA_DIR]

Checks every *.csv: strict UTF-8 without BOM, LF line ends, final newline,
the expected header, the same field count on every row, no leading/trailing
spaces in any field, no empty line, unique keys, the expected row counts;
and for divisions.csv: 6-digit codes, parents that exist with the right
kind. Exits non-zero on the first table with problems, after listing them.
"""
import csv
import io
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(HERE, ".."))

# file -> (header, key column, exact row count or (min, max))
TABLES = {
    "divisions.csv": (["code", "name", "parent", "kind"], "code", (3000, 3600)),
    "ethnic_groups.csv": (["code", "name"], "code", 58),
    "political_status.csv": (["code", "name"], "code", 13),
    "education_levels.csv": (["code", "name", "rank"], "code", 14),
    "id_types.csv": (["code", "name"], "code", 5),
    "candidate_sources.csv": (["code", "name"], "code", 3),
    "assessment_categories.csv": (["code", "name"], "code", 2),
    "enterprise_types.csv": (["code", "name"], "code", 10),
    "related_occupations.csv": (["name", "code"], "name", 17),
}


def load(path, problems):
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append("has a UTF-8 BOM")
    if b"\r" in raw:
        problems.append("has CR characters (use LF line ends)")
    if not raw.endswith(b"\n"):
        problems.append("no final newline")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("not UTF-8: %s" % e)
        return []
    for i, line in enumerate(text.split("\n")[:-1], 1):
        if line != line.rstrip() or line != line.lstrip():
            problems.append("line %d: leading/trailing whitespace" % i)
        if not line:
            problems.append("line %d: empty" % i)
    return list(csv.reader(io.StringIO(text)))


def check(fname, header, key, count):
    problems = []
    path = os.path.join(DATA, fname)
    if not os.path.exists(path):
        return ["missing"], 0, []
    rows = load(path, problems)
    if not rows:
        return problems + ["empty"], 0, []
    if rows[0] != header:
        problems.append("header %r, expected %r" % (rows[0], header))
    body = rows[1:]
    for i, r in enumerate(body, 2):
        if len(r) != len(header):
            problems.append("line %d: %d fields" % (i, len(r)))
        for v in r:
            if v != v.strip() or "\u3000" in v or "\u00a0" in v:
                problems.append("line %d: field %r has stray spaces" % (i, v))
    dicts = [dict(zip(header, r)) for r in body]
    keys = [d[key] for d in dicts]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        problems.append("duplicate %s: %s" % (key, dup[:10]))
    if any(not d.get("name") for d in dicts):
        problems.append("empty name")
    if isinstance(count, tuple):
        if not count[0] <= len(body) <= count[1]:
            problems.append("%d rows, expected %d..%d" % (len(body), count[0], count[1]))
    elif len(body) != count:
        problems.append("%d rows, expected %d" % (len(body), count))
    return problems, len(body), dicts


def check_divisions(dicts):
    problems = []
    by = {d["code"]: d for d in dicts}
    kinds = {}
    for d in dicts:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
        if not re.fullmatch(r"\d{6}", d["code"]):
            problems.append("bad code %r" % d["code"])
        if d["kind"] not in ("province", "city", "district"):
            problems.append("%s: bad kind %r" % (d["code"], d["kind"]))
        if d["kind"] == "province":
            if d["parent"] or not d["code"].endswith("0000"):
                problems.append("%s: bad province row" % d["code"])
            continue
        p = by.get(d["parent"])
        if p is None:
            problems.append("%s: parent %r missing" % (d["code"], d["parent"]))
            continue
        if d["code"][:2] != d["parent"][:2]:
            problems.append("%s: parent %s in another province" % (d["code"], d["parent"]))
        ok = {"city": ("province",), "district": ("city", "province")}[d["kind"]]
        if p["kind"] not in ok:
            problems.append("%s: parent %s is a %s" % (d["code"], d["parent"], p["kind"]))
        if d["kind"] == "district" and p["kind"] == "province" and d["code"][:2] not in ("81", "82"):
            problems.append("%s: district directly under province" % d["code"])
    if kinds.get("province") != 34:
        problems.append("%s provinces, expected 34" % kinds.get("province"))
    if not 330 <= kinds.get("city", 0) <= 350:
        problems.append("%s cities, expected ~340" % kinds.get("city"))
    if not 2800 <= kinds.get("district", 0) <= 2900:
        problems.append("%s districts, expected ~2,850" % kinds.get("district"))
    return problems, kinds


def main():
    failed = False
    for fname, (header, key, count) in TABLES.items():
        problems, n, dicts = check(fname, header, key, count)
        extra = ""
        if fname == "divisions.csv" and dicts:
            p2, kinds = check_divisions(dicts)
            problems += p2
            extra = " (province=%d city=%d district=%d)" % (
                kinds.get("province", 0), kinds.get("city", 0), kinds.get("district", 0))
        if fname == "education_levels.csv" and dicts:
            for d in dicts:
                if not d["rank"].isdigit():
                    problems.append("%s: rank %r not a number" % (d["code"], d["rank"]))
        if fname == "related_occupations.csv" and dicts:
            for d in dicts:
                if d["code"] and not re.fullmatch(r"\d-\d\d-\d\d-\d\d", d["code"]):
                    problems.append("%s: bad code %r" % (d["name"], d["code"]))
        status = "ok" if not problems else "FAIL"
        print("%-28s %5d rows%s  %s" % (fname, n, extra, status))
        for p in problems[:20]:
            print("    - " + p)
        failed = failed or bool(problems)
    others = sorted(f for f in os.listdir(DATA) if f.endswith(".csv") and f not in TABLES)
    if others:
        print("note: unchecked csv files: " + ", ".join(others))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
