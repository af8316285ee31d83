#!/usr/bin/env python3
"""The generated server under load, against the hand-written ceiling.

Builds the flagship app (`payments-app`, every generated layer on, the
spec's limits raised so the limiter runs but never refuses) and the
hand-written baseline (`bench/baseline`: the same routes and JSON shapes,
API-key auth and a request id only) in release mode, then runs each
scenario against both servers back to back (the order alternating by
round), for several rounds, with the servers pinned to one core and `wrk`
to the other. Prints, per scenario,
requests per second, p50/p99 latency and server CPU microseconds per
request (from /proc/<pid>/stat before and after), and the generated app's
ratios to the baseline.

    scripts/bench-server.py                    # memory backends, 2 rounds of 10 s
    scripts/bench-server.py --redis            # the app's layers on Redis (and on memory, for the ratio)
    scripts/bench-server.py --rounds 3 --seconds 15 --connections 32
    scripts/bench-server.py --no-client        # leave out the client's table

The report ends with the generated client's table (`scripts/bench-client.sh`:
the client against hand-written reqwest calls), so one run measures both
sides of the generated code.

Needs `wrk` (Debian: `apt-get install wrk`); with `--redis`, Redis at
REDIS_URL (default redis://127.0.0.1:6379), whose script calls give the
round trips per request; the keys the app writes there (under `bench-`
prefixes) are deleted after each round. Not part of CI: figures depend on the machine. The
README's "Performance" section holds the latest.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"
USERS = 50
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

CHARGE = '{"amount":1000,"currency":"USD","source":"tok_visa"}'

# Each scenario: a path and, for POSTs, a wrk script that sends the body
# with the idempotency key the scenario wants.
SCENARIOS = [
    ("GET /v1/users/1", "/v1/users/1", None),
    ("GET /v1/users?page=1&per_page=20", "/v1/users?page=1&per_page=20", None),
    ("POST /v1/charges, fresh key each time", "/v1/charges", "fresh"),
    ("POST /v1/charges, one key replayed", "/v1/charges", "replayed"),
    ("GET /health", "/health", None),
]

WRK_SCRIPT = """
local mode, prefix = "get", "k"
local counter = 0
function init(args)
  mode = args[1] or "get"
  prefix = args[2] or "k"
end
function request()
  local headers = {["X-API-Key"] = "%(key)s"}
  if mode == "get" then
    return wrk.format("GET", nil, headers, nil)
  end
  counter = counter + 1
  headers["Content-Type"] = "application/json"
  if mode == "fresh" then
    headers["Idempotency-Key"] = prefix .. "-" .. counter
  else
    headers["Idempotency-Key"] = prefix
  end
  return wrk.format("POST", nil, headers, '%(body)s')
end
""" % {"key": KEY, "body": CHARGE}


def build():
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "payments-app", "-p", "payments-baseline"],
        cwd=ROOT, check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return {
        "baseline": target / "release" / "payments-baseline",
        "generated": target / "release" / "payments-app",
    }


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def request(url, method="GET", body=None, headers=None):
    data = body.encode() if body else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=5) as response:
        return response.status


def start(binary, port, redis_url, server_core):
    env = dict(os.environ)
    env.update({
        "BIND_ADDR": f"127.0.0.1:{port}",
        "PAYMENTS_API_KEYS": KEY,
        "RATE_LIMITS": "default=1000000000/60,burst=1000000000/1",
        "RUST_LOG": "warn",
    })
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["REDIS_KEY_PREFIX"] = f"bench-{port}-{time.time_ns()}:"
    process = subprocess.Popen(
        ["taskset", "-c", str(server_core), str(binary)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            request(base + "/health")
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        sys.exit(f"{binary} did not start on port {port}")
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    for n in range(USERS):
        body = '{"name":"User %d","email":"user%d@example.com","password":"correct horse"}' % (n, n)
        request(base + "/v1/users", "POST", body, {**headers, "Idempotency-Key": f"seed-{n}"})
    return process, base


def redis_round_trips(redis_url):
    """Scripts Redis has run so far: every step of the generated stores is
    one script call, one round trip (the commands a script runs inside
    count separately in Redis's statistics, so they are left out)."""
    if not redis_url:
        return 0
    output = subprocess.run(
        ["redis-cli", "-u", redis_url, "INFO", "commandstats"],
        capture_output=True, text=True, check=True,
    ).stdout
    calls = re.findall(r"^cmdstat_(?:evalsha|eval):calls=(\d+)", output, re.M)
    return sum(int(n) for n in calls)


def drop_bench_keys(redis_url):
    """Deletes the keys the app wrote under its `bench-` prefixes: fresh
    idempotency keys are kept for a day, and a few runs would otherwise
    leave millions behind (and slow every later run)."""
    if not redis_url:
        return
    keys = subprocess.run(
        ["redis-cli", "-u", redis_url, "--scan", "--pattern", "bench-*"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    for start in range(0, len(keys), 1000):
        subprocess.run(
            ["redis-cli", "-u", redis_url, "UNLINK", *keys[start:start + 1000]],
            capture_output=True, check=True,
        )


def seconds_of(text):
    if not re.fullmatch(r"([\d.]+)(us|ms|s|m)", text):
        sys.exit(f"an unexpected latency from wrk: {text!r}")
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(args, base, path, mode, script, load_core, pid, redis_url):
    before_cpu, before_redis = cpu_ticks(pid), redis_round_trips(redis_url)
    prefix = f"k{time.time_ns()}"
    command = [
        "taskset", "-c", str(load_core), "wrk", "-t1", f"-c{args.connections}",
        f"-d{args.seconds}s", "--timeout", "5s", "--latency", "-s", script,
        base + path, "--", mode or "get", prefix,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Latency Distribution" not in output:
        sys.exit(f"wrk gave no latencies for {path}:\n{output}")
    cpu = (cpu_ticks(pid) - before_cpu) / CLOCK_TICKS
    redis = redis_round_trips(redis_url) - before_redis
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx answers on {path}", file=sys.stderr)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": seconds_of(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": seconds_of(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "cpu_us": cpu / max(requests, 1) * 1e6,
        "redis": redis / max(requests, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis", action="store_true", help="the app's layers on Redis")
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    parser.add_argument("--no-client", action="store_true", help="leave out the client benchmark")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379") if args.redis else None
    # What an interrupted run left behind.
    drop_bench_keys(redis_url)
    binaries = build()
    cores = os.cpu_count() or 1
    server_core, load_core = 0, min(1, cores - 1)
    scenarios = [s for s in SCENARIOS if not args.only or args.only in s[0]]
    # With --redis, the app also runs on memory backends, so the Redis
    # figures have their memory counterpart from the same run.
    servers_to_run = [("baseline", 18081, None), ("generated", 18080, redis_url)]
    if redis_url:
        servers_to_run.append(("memory", 18082, None))
    results = {name: {label: [] for label, _, _ in scenarios} for name, _, _ in servers_to_run}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        for round_ in range(args.rounds):
            # Every server runs for the whole round (the idle ones cost
            # nothing) and each scenario measures them back to back, so a
            # machine that drifts during a run moves every figure alike.
            servers = {}
            try:
                for name, port, backend in servers_to_run:
                    binary = binaries["baseline" if name == "baseline" else "generated"]
                    servers[name] = start(binary, port, backend, server_core)
                for label, path, mode in scenarios:
                    order = [name for name, _, _ in servers_to_run]
                    if round_ % 2:
                        order.reverse()
                    for name in order:
                        process, base = servers[name]
                        measured = run_wrk(args, base, path, mode, script.name, load_core, process.pid,
                                           redis_url if name == "generated" else None)
                        results[name][label].append(measured)
                        print(f"round {round_ + 1} {name:9} {label}: {measured['rps']:.0f} req/s",
                              file=sys.stderr)
            finally:
                for process, _ in servers.values():
                    process.kill()
                    process.wait()
                drop_bench_keys(redis_url)
    report(args, results, redis_url)
    if not args.no_client:
        print("\nThe generated client against hand-written reqwest (scripts/bench-client.sh):\n")
        sys.stdout.flush()
        subprocess.run([str(ROOT / "scripts" / "bench-client.sh")], cwd=ROOT, check=True)


def median(runs, field):
    return statistics.median(run[field] for run in runs)


def report(args, results, redis_url):
    backend = "Redis" if redis_url else "memory"
    print(f"\nmedian of {args.rounds} alternating rounds of {args.seconds} s, {args.connections} "
          f"connections, server on one core and wrk on the other; generated app on {backend} backends\n")
    header = ("| scenario | baseline req/s | generated req/s | ratio | p50 ms (base / gen) "
              "| p99 ms (base / gen) | server CPU µs/req (base / gen) |")
    if redis_url:
        header += " Redis round trips/req | Redis / memory req/s |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for label in results["baseline"]:
        base, gen = results["baseline"][label], results["generated"][label]
        row = (f"| {label} | {median(base, 'rps'):.0f} | {median(gen, 'rps'):.0f} "
               f"| {median(gen, 'rps') / median(base, 'rps'):.2f}x "
               f"| {median(base, 'p50') * 1e3:.2f} / {median(gen, 'p50') * 1e3:.2f} "
               f"| {median(base, 'p99') * 1e3:.2f} / {median(gen, 'p99') * 1e3:.2f} "
               f"| {median(base, 'cpu_us'):.0f} / {median(gen, 'cpu_us'):.0f} |")
        if redis_url:
            memory = results["memory"][label]
            row += (f" {median(gen, 'redis'):.2f} "
                    f"| {median(gen, 'rps') / median(memory, 'rps'):.2f}x of {median(memory, 'rps'):.0f} |")
        print(row)


if __name__ == "__main__":
    main()
