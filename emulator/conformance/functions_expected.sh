#!/usr/bin/env bash
# Recomputes emulator/tests/fixtures/functions_expected.json: the function-coverage workbook of
# emulator/tests/workbook_functions.rs, one file per input set, recalculated by LibreOffice
# headless (an engine independent of IronCalc), every formula cell recorded.
#
#   apt-get install -y libreoffice-calc-nogui
#   emulator/conformance/functions_expected.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CSPARK_FUNCTIONS_DIR="$work" cargo test -p cspark-emulator --test workbook_functions \
    -- --ignored write_function_workbooks --exact >/dev/null

# Recalculate on load (files written by rust_xlsxwriter carry no cached values).
mkdir -p "$work/profile/user"
cat >"$work/profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
# CSV: comma, double quotes, UTF-8, text cells quoted, raw values (not as shown).
soffice -env:UserInstallation="file://$work/profile" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,true,true,false,false,false' \
    --outdir "$work" "$work"/functions-*.xlsx >/dev/null

python3 - "$work" "$root/emulator/tests/fixtures/functions_expected.json" <<'PY'
import datetime, glob, json, re, subprocess, sys
work, out = sys.argv[1], sys.argv[2]

def first_field(rest):
    """The first CSV field of `rest`, quotes kept (they mark text cells)."""
    if rest.startswith('"'):
        i = 1
        while i < len(rest):
            if rest[i] == '"':
                if rest[i + 1:i + 2] == '"':
                    i += 2
                    continue
                return rest[:i + 1]
            i += 1
        return rest
    return rest.split(",", 1)[0]

def serial(y, m, d):
    return (datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days

def value(field):
    """A cell as LibreOffice wrote it → JSON. LibreOffice formats some formula results
    (percent, date, time) even in raw mode; those are turned back into numbers."""
    if field.startswith('"'):
        return field[1:-1].replace('""', '"')
    if field in ("TRUE", "FALSE"):
        return field == "TRUE"
    if field == "":
        return None
    number = None
    if field.endswith("%"):
        number = float(field[:-1]) / 100
    elif re.fullmatch(r"\d\d/\d\d/\d{4}", field):
        m, d, y = map(int, field.split("/"))
        number = serial(y, m, d)
    elif re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", field):
        day, clock = field.split(" ")
        m, d, y = map(int, day.split("/"))
        h, mi, se = map(int, clock.split(":"))
        number = serial(y, m, d) + (h * 3600 + mi * 60 + se) / 86400
    elif re.fullmatch(r"\d\d:\d\d:\d\d [AP]M", field):
        hms, half = field.split(" ")
        h, mi, se = map(int, hms.split(":"))
        h = h % 12 + (12 if half == "PM" else 0)
        number = (h * 3600 + mi * 60 + se) / 86400
    else:
        try:
            number = float(field)
        except ValueError:
            return field  # an error value such as #DIV/0! or Err:502
    return int(number) if float(number).is_integer() and abs(number) < 9e15 else number

sets = []
for path in sorted(glob.glob(f"{work}/functions-*.csv")):
    lines = open(path, encoding="utf-8").read().splitlines()
    record = {}
    for line in lines[10:]:
        name, _, rest = line.partition(",")
        record[name.strip('"')] = value(first_field(rest))
    sets.append(record)
version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
json.dump({"engine": version, "sets": sets}, open(out, "w"), indent=1, sort_keys=True)
print(f"{len(sets)} input sets, {sum(len(s) for s in sets)} values -> {out}")
PY
