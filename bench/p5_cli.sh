#!/usr/bin/env bash
# P5 (issue 7) for the command line: peak RSS of `cspark batch run` over an N-row CSV
# (default 1,000,000) of demo/volume-cylinder cases, against the release emulator started as a
# separate process. Prints the CLI's peak RSS (/usr/bin/time -v), the emulator's (VmHWM), and
# checks every output row (input order, Volume = pi r^2 h).
#
#   cargo build --release -p cspark-cli -p cspark-emulator
#   bench/p5_cli.sh 1000000
#   bench/p5_cli.sh 100000
#
# Binaries: $CSPARK_P5_CLI / $CSPARK_BENCH_EMULATOR, else ${CARGO_TARGET_DIR:-target}/release.
# Only 127.0.0.1 is contacted; everything is written to a temporary directory, removed at exit.
set -euo pipefail

n=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
release=${CARGO_TARGET_DIR:-$root/target}/release
cli=${CSPARK_P5_CLI:-$release/cspark}
emulator=${CSPARK_BENCH_EMULATOR:-$release/cspark-emulator}
for bin in "$cli" "$emulator"; do
  [[ -x $bin ]] || { echo "missing $bin: cargo build --release -p cspark-cli -p cspark-emulator" >&2; exit 2; }
done

work=$(mktemp -d)
emulator_pid=
cleanup() {
  # Only the emulator this script started, by its pid.
  [[ -n $emulator_pid ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

awk -v n="$n" 'BEGIN { print "Radius,Height"; for (i = 0; i < n; i++) printf "%g,%d\n", (i % 97) / 4 + 0.5, i % 13 + 1 }' \
  > "$work/cases.csv"
echo "input: $n rows, $(du -h "$work/cases.csv" | cut -f1)"

"$emulator" --addr 127.0.0.1:0 --tenant my-tenant --api-key p5-key \
  --workbooks "$root/emulator/workbooks" > "$work/emulator.out" 2>/dev/null &
emulator_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/emulator.out" && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/emulator.out" | head -1)
[[ -n $url ]] || { echo "the emulator did not start" >&2; exit 1; }

cd "$work"
/usr/bin/time -v -o time.txt "$cli" --base-url "$url/my-tenant" --api-key p5-key --json \
  batch run --service demo/volume-cylinder --input cases.csv --output results.csv \
  --failed failed.jsonl > summary.json
emulator_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$emulator_pid/status")

# Every row in input order, with Volume = pi r^2 h (relative error <= 1e-9).
awk -F, -v n="$n" '
  NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; pi = atan2(0, -1); next }
  {
    i = NR - 2; r = (i % 97) / 4 + 0.5; h = i % 13 + 1
    if ($col["Radius"] != r || $col["Height"] != h) { print "row " i " out of order"; exit 1 }
    want = pi * r * r * h; got = $col["Volume"]
    if ((got - want) / want > 1e-9 || (want - got) / want > 1e-9) { print "row " i ": " got " vs " want; exit 1 }
  }
  END { if (NR - 1 != n) { print NR - 1 " rows, expected " n; exit 1 } }' results.csv
[[ ! -s failed.jsonl ]] || { echo "failed records: $(wc -l < failed.jsonl)" >&2; exit 1; }

cli_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' time.txt)
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' time.txt)
rate=$(sed -n 's/.*"records_per_second": *\([0-9.]*\).*/\1/p' summary.json)
held=$(sed -n 's/.*"records_held_peak": *\([0-9]*\).*/\1/p' summary.json)
printf 'P5 cli: %s records, all rows checked; wall %s, %s records/s; records held at most %s\n' \
  "$n" "$wall" "$rate" "$held"
awk -v c="$cli_kib" -v e="$emulator_hwm" \
  'BEGIN { printf "peak RSS: cspark %.1f MiB, emulator %.1f MiB\n", c / 1024, e / 1024 }'
