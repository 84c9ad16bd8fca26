"""P2: CPU per sequential v3 execute with the Python SDK (`cspark` from PyPI).

Usage: python bench_cspark.py --url http://127.0.0.1:PORT [--tenant my-tenant]
                              [--key bench-key] [--calls 2000] [--warmup 200]
       python bench_cspark.py --url … --p2b 10000 [--reps 5]

Runs `client.services.execute('demo/volume-cylinder', inputs=...)` sequentially against the
emulator, checks every Volume, and prints wall time and process CPU (user + system,
`time.process_time`) per call. The emulator must run in another process, so the CPU
figure is the client's alone. A raw `httpx` POST of the same body is measured too (the
HTTP library the Python SDK is built on), so the SDK's own share is visible. The SDK's
logger is switched off (`logger=False`), like the Rust SDK without a subscriber.

P2b (`--p2b N`): N records end to end with the SDK's documented many-record path,
`client.services.execute(uri, inputs=[...N records...])`, which sends one v4 call with all
the records (python-sdk.md §5.1 and §5.3). One warm-up run, then `--reps` runs; every Volume
is checked; prints the median and best records per second.
"""

import argparse
import math
import statistics
import sys
import time


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--tenant", default="my-tenant")
    p.add_argument("--key", default="bench-key")
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--p2b", type=int, default=0, help="records for P2b (0: run P2 instead)")
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()

    import cspark.sdk as Spark
    import httpx

    try:
        from cspark.sdk import BaseUrl
    except ImportError:  # older layouts
        from cspark.sdk._config import BaseUrl  # type: ignore

    # A plain string base URL must be https://*.coherent.global; BaseUrl skips that check.
    client = Spark.Client(base_url=BaseUrl(url=a.url, tenant=a.tenant), api_key=a.key, logger=False)
    services = client.services

    def inputs(i):
        return {"Radius": 1.0 + i % 17, "Height": 1.0 + i % 13}

    def check(i, volume):
        x = inputs(i)
        want = math.pi * x["Radius"] ** 2 * x["Height"]
        if abs(volume - want) > 1e-6 * want:
            raise SystemExit(f"wrong Volume {volume} for {x}")

    def sdk_call(i):
        r = services.execute("demo/volume-cylinder", inputs=inputs(i))
        data = r.data
        outputs = data.get("outputs") or data["response_data"]["outputs"]
        out = outputs[0] if isinstance(outputs, list) else outputs
        check(i, out["Volume"])

    if a.p2b > 0:
        return p2b(services, inputs, check, a.p2b, a.reps)

    raw = httpx.Client()
    url = f"{a.url}/{a.tenant}/api/v3/folders/demo/services/volume-cylinder/execute"

    def raw_call(i):
        x = inputs(i)
        body = {
            "request_data": {"inputs": x},
            "request_meta": {"call_purpose": "Single Execution", "source_system": "bench"},
        }
        r = raw.post(url, json=body, headers={"x-synthetic-key": a.key, "x-tenant-name": a.tenant})
        r.raise_for_status()
        check(i, r.json()["response_data"]["outputs"]["Volume"])

    results = {}
    for name, call in (("python cspark services.execute", sdk_call), ("python raw httpx POST", raw_call)):
        for i in range(a.warmup):
            call(i)
        walls = []
        cpu0 = time.process_time()
        for i in range(a.calls):
            t = time.perf_counter()
            call(i)
            walls.append(time.perf_counter() - t)
        cpu = time.process_time() - cpu0
        results[name] = (statistics.median(walls), cpu / a.calls)

    import importlib.metadata as md

    print(f"python {sys.version.split()[0]}, cspark {md.version('cspark')}, httpx {md.version('httpx')}")
    print(f"{a.calls} sequential calls each after {a.warmup} warm-up")
    print("| client | median wall | client CPU/call |")
    print("|---|---|---|")
    for name, (med, cpu) in results.items():
        print(f"| {name} | {med * 1e6:.1f} µs | {cpu * 1e6:.1f} µs |")
    return 0


def p2b(services, inputs, check, n, reps) -> int:
    import importlib.metadata as md

    records = [inputs(i) for i in range(n)]

    def run():
        t, c = time.perf_counter(), time.process_time()
        r = services.execute("demo/volume-cylinder", inputs=records)
        outputs = r.data["outputs"]
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
        if len(outputs) != n:
            raise SystemExit(f"{len(outputs)} outputs for {n} records")
        for i, out in enumerate(outputs):
            check(i, out["Volume"])
        return elapsed, cpu

    run()  # warm-up
    runs = [run() for _ in range(reps)]
    rates = sorted(n / wall for wall, _ in runs)
    cpus = sorted(cpu / n for _, cpu in runs)
    print(f"python {sys.version.split()[0]}, cspark {md.version('cspark')}")
    print(f"P2b {n} records in one services.execute(list) call (v4), {reps} runs after 1 warm-up")
    print("| client | records/s (median) | best | client CPU/record (median) |")
    print("|---|---|---|---|")
    print(
        f"| python cspark services.execute(inputs=list) | {rates[len(rates) // 2]:.0f} | {rates[-1]:.0f}"
        f" | {cpus[len(cpus) // 2] * 1e6:.1f} µs |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
