#!/usr/bin/env python3
"""How fast `specforge generate` is, and whether its time grows linearly
with the spec: a release build generates the flagship, the largest corpus
documents and github-api four times over (its paths copied under four
prefixes, its components shared), each several times in alternation, and
prints the median wall time, the peak memory (`/usr/bin/time`) and the time
per megabyte of spec, as a ratio to github-api's measured in the same run.

    scripts/bench-generate.py              # 5 rounds
    scripts/bench-generate.py --rounds 9

Not part of CI: figures depend on the machine. The README's "Performance"
section holds the latest.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench-generate"


def corpus_dir():
    return Path(os.environ.get("CORPUS_DIR", ROOT.parent / "shared" / "corpus"))


def times_four(source, target):
    """github-api with every path under /a, /b, /c and /d (operationIds made
    unique): four times the operations over the same components."""
    document = json.loads(source.read_text())
    paths = {}
    for prefix in ("a", "b", "c", "d"):
        for path, item in document["paths"].items():
            copy = json.loads(json.dumps(item))
            for operation in copy.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    operation["operationId"] = f"{prefix}/{operation['operationId']}"
            paths[f"/{prefix}{path}"] = copy
    document["paths"] = paths
    target.write_text(json.dumps(document, indent=1))


def run(specforge, spec, out):
    """(seconds, peak MB) of one generation."""
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", report.name, specforge, "generate", str(spec),
             "--out", str(out), "--name", "bench", "--color", "never"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        seconds, kilobytes = report.read().split()[-2:]
    return float(seconds), int(kilobytes) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = corpus_dir()
    if not corpus.is_dir():
        sys.exit(f"no corpus at {corpus}")
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "specforge"], cwd=ROOT,
                   check=True)
    specforge = str(ROOT / "target" / "release" / "specforge")
    WORK.mkdir(parents=True, exist_ok=True)
    fixture = WORK / "github-api-x4.json"
    times_four(corpus / "github-api.json", fixture)
    specs = [
        ("payments (flagship)", ROOT / "specs" / "payments.yaml"),
        ("discord-31", corpus / "discord-31.json"),
        ("asana", corpus / "asana.yaml"),
        ("github-api", corpus / "github-api.json"),
        ("github-api x4", fixture),
    ]
    samples = {name: [] for name, _ in specs}
    for _ in range(args.rounds):
        for name, spec in specs:
            samples[name].append(run(specforge, spec, WORK / "out"))
    rows = {}
    for name, spec in specs:
        seconds = statistics.median(s for s, _ in samples[name])
        megabytes = max(m for _, m in samples[name])
        size = spec.stat().st_size / 1e6
        rows[name] = (size, seconds, megabytes, seconds / size)
    base = rows["github-api"][3]
    print(f"median of {args.rounds} runs each, release build, alternating")
    print()
    print("| spec | size MB | generate s | peak MB | s per MB | vs github-api |")
    print("|---|---|---|---|---|---|")
    for name, (size, seconds, megabytes, per_mb) in rows.items():
        print(f"| {name} | {size:.2f} | {seconds:.2f} | {megabytes:.0f} | {per_mb:.3f} "
              f"| {per_mb / base:.2f}x |")
    x1, x4 = rows["github-api"][1], rows["github-api x4"][1]
    print()
    print(f"github-api x4 takes {x4 / x1:.2f}x the time of github-api (linear would be 4.00x)")


if __name__ == "__main__":
    main()
