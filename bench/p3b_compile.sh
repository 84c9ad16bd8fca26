#!/usr/bin/env bash
# P3 and P3b (issue 13): generate the bindings of one service with N inputs and N/10 outputs
# (inputs `Input i`: text when i % 3 == 0, else numbers; outputs `Output i`: text when even),
# then compile them in a debug build, in a scratch crate outside the workspace whose `lib.rs`
# `include!`s the generated file (dependencies: `cspark` by path, `serde`, `serde_json`).
# Prints the generation's time and peak RSS, then `/usr/bin/time -v` of the crate's build
# (user/system/wall time, maximum RSS: rustc's, the dependencies being built beforehand).
# With `--use`, `lib.rs` also decodes and encodes both types with serde_json, as a user's
# crate does (instantiating the generic impls).
#
#   cargo build -p cspark-codegen
#   bench/p3b_compile.sh 10000
#   bench/p3b_compile.sh 1000 --use
#
# The codegen binary: $CSPARK_CODEGEN, else ${CARGO_TARGET_DIR:-target}/debug/cspark-codegen.
# Everything is written under $P3B_DIR (default: a temporary directory, removed at exit); set
# it to keep the scratch crate's compiled dependencies between runs.
set -euo pipefail

n=${1:-10000}
use=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
codegen=${CSPARK_CODEGEN:-${CARGO_TARGET_DIR:-$root/target}/debug/cspark-codegen}
if [ -z "${P3B_DIR:-}" ]; then
  P3B_DIR=$(mktemp -d)
  trap 'rm -rf "$P3B_DIR"' EXIT
fi
dir=$P3B_DIR
mkdir -p "$dir/svc$n/big" "$dir/crate/src"

python3 - "$n" "$dir/svc$n/big/calc.swagger.json" <<'EOF'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
obj = lambda props: {"type": "object", "properties": props}
inputs = {f"Input {i}": {"type": "string" if i % 3 == 0 else "number"} for i in range(n)}
outputs = {f"Output {i}": {"type": "string" if i % 2 == 0 else "number"} for i in range(n // 10)}
doc = {"swagger": "2.0", "paths": {"/{tenant}/api/v3/folders/{product}/services/{engine}/execute": {"post": {
    "parameters": [{"name": "request", "in": "body", "schema": obj({"request_data": obj({"inputs": obj(inputs)})})}],
    "responses": {"200": {"schema": obj({"response_data": obj({"outputs": obj(outputs)})})}}}}}}
json.dump(doc, open(path, "w"))
EOF

echo "== P3: cspark-codegen services, $n inputs / $((n / 10)) outputs"
/usr/bin/time -f "%e s wall, %U s user, %M KB peak" \
  "$codegen" services "$dir/svc$n" --out "$dir/gen$n.rs"

cat > "$dir/crate/Cargo.toml" <<EOF
[package]
name = "p3b"
version = "0.0.0"
edition = "2024"
[workspace]
[dependencies]
cspark = { path = "$root/sdk" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
EOF
[ -f "$dir/crate/Cargo.lock" ] || cp "$root/Cargo.lock" "$dir/crate/Cargo.lock"
export CARGO_TARGET_DIR=$dir/target CARGO_INCREMENTAL=0
cd "$dir/crate"
echo > src/lib.rs
cargo build --offline -q  # the dependencies, not measured
echo "include!(\"$dir/gen$n.rs\");" > src/lib.rs
if [ "$use" = --use ]; then
  cat >> src/lib.rs <<'EOF'
pub fn round_trip(v: serde_json::Value) -> serde_json::Result<(serde_json::Value, serde_json::Value)> {
    let i: big_calc::Inputs = serde_json::from_value(v.clone())?;
    let o: big_calc::Outputs = serde_json::from_value(v)?;
    let i: big_calc::Inputs = serde_json::from_str(&serde_json::to_string(&i)?)?;
    let o: big_calc::Outputs = serde_json::from_slice(&serde_json::to_vec(&o)?)?;
    Ok((serde_json::to_value(&i)?, serde_json::to_value(&o)?))
}
EOF
fi
echo "== P3b: cargo build (debug, CARGO_INCREMENTAL=0) ${use:+with $use}"
/usr/bin/time -v cargo build --offline -q 2> "$dir/time.txt" || { cat "$dir/time.txt"; exit 1; }
grep -E 'User time|System time|Elapsed|Maximum resident' "$dir/time.txt"
