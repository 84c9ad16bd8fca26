#!/usr/bin/env bash
# P2: CPU per call of the Python SDK (`cspark` from PyPI) against the emulator.
# P2b: records per second of its many-record execute (one v4 call with a list).
#
#   bench/run_python.sh [CALLS]            # P2, default 2,000 calls
#   bench/run_python.sh --p2b [RECORDS]    # P2b, default 10,000 records
#   bench/run_python.sh --p2b 10000 --engine-ms-per-record 1
#                                          # P2b against an emulator modelling 1 ms per record
#
# Creates a venv under target/bench-python-venv (or $CSPARK_BENCH_VENV), installs `cspark`
# from PyPI, starts target/release/cspark-emulator (or $CSPARK_BENCH_EMULATOR; build it first:
# cargo build --release -p cspark-emulator) on a free 127.0.0.1 port, runs
# bench/python/bench_cspark.py, and stops that emulator.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=p2
calls=""
emulator_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --p2b) mode=p2b ;;
    --engine-ms-per-record)
      [ $# -ge 2 ] || { echo "--engine-ms-per-record needs a value" >&2; exit 2; }
      emulator_args+=(--engine-ms-per-record "$2")
      shift ;;
    *) calls="$1" ;;
  esac
  shift
done
if [ -z "$calls" ]; then
  if [ "$mode" = p2b ]; then calls=10000; else calls=2000; fi
fi
venv="${CSPARK_BENCH_VENV:-$root/target/bench-python-venv}"
emulator="${CSPARK_BENCH_EMULATOR:-$root/target/release/cspark-emulator}"
[ -x "$emulator" ] || { echo "build the emulator first: cargo build --release -p cspark-emulator" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check cspark httpx
out="$(mktemp)"
"$emulator" --addr 127.0.0.1:0 --workbooks "$root/emulator/workbooks" --api-key bench-key "${emulator_args[@]}" >"$out" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$out" && break
  sleep 0.05
done
url="$(sed -n 's/^listening on //p' "$out" | head -1)"
[ -n "$url" ] || { echo "emulator did not start" >&2; exit 1; }
if [ "$mode" = p2b ]; then
  "$venv/bin/python" "$root/bench/python/bench_cspark.py" --url "$url" --p2b "$calls"
else
  "$venv/bin/python" "$root/bench/python/bench_cspark.py" --url "$url" --calls "$calls" --warmup "$(( calls / 10 ))"
fi
