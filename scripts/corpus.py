#!/usr/bin/env python3
"""The corpus runner: generates every document of the public corpus
(../shared/corpus/), builds each API's three crates with
`cargo clippy -- -D warnings` in one workspace with one shared target
directory, and prints a table: spec, generated, warnings by kind, seconds,
built. The last line reads `N passed, M failed`; the exit code is 1 when
anything failed.

    scripts/corpus.py                      # every document
    scripts/corpus.py --tiers S,M          # the small and medium ones (CI)
    scripts/corpus.py discord-31 spotify   # named documents
    scripts/corpus.py --release --write docs/corpus.md   # the committed table

A document passes when it generates and its crates build warning-free.
"""

import argparse
import collections
import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "corpus"
TARGET = ROOT / "target" / "corpus-target"


def corpus_dir():
    return Path(os.environ.get("CORPUS_DIR", ROOT.parent / "shared" / "corpus"))


def manifest(directory):
    with open(directory / "MANIFEST.tsv", newline="") as f:
        return {row["name"]: row for row in csv.DictReader(f, delimiter="\t")}


def warning_kind(message):
    """A warning's message with its specifics (`names`, numbers) taken out."""
    kind = re.sub(r"`[^`]*`", "`…`", message)
    kind = re.sub(r"-?\d+(\.\d+)?", "N", kind)
    return kind.strip()


def generate(specforge, spec, name):
    out = WORK / name
    started = time.monotonic()
    result = subprocess.run(
        [specforge, "generate", str(spec), "--out", str(out), "--name", name, "--color", "never"],
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    lines = result.stderr.splitlines() + result.stdout.splitlines()
    kinds = collections.Counter(
        warning_kind(line[len("warning: "):]) for line in lines if line.startswith("warning: ")
    )
    errors = [line for line in lines if line.startswith("error")]
    return result.returncode == 0, kinds, errors, seconds


def build(name):
    started = time.monotonic()
    packages = []
    for kind in ("types", "server", "client"):
        packages += ["-p", f"{name}-{kind}"]
    result = subprocess.run(
        ["cargo", "clippy", "--quiet", "--manifest-path", str(WORK / "Cargo.toml"), *packages,
         "--", "-D", "warnings"],
        capture_output=True,
        text=True,
        env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)},
    )
    return result.returncode == 0, result.stderr, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", help="document names (without extension); all by default")
    parser.add_argument("--tiers", help="only these size tiers, e.g. S,M")
    parser.add_argument("--write", help="also write the table to this Markdown file")
    parser.add_argument("--release", action="store_true",
                        help="time a release build of specforge (the debug build by default)")
    args = parser.parse_args()

    directory = corpus_dir()
    if not directory.is_dir():
        if os.environ.get("CI") == "true":
            sys.exit(f"the corpus is missing at {directory}")
        print(f"skipped: no corpus at {directory}")
        return 0
    rows = manifest(directory)
    documents = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".json"))
    tiers = set(args.tiers.split(",")) if args.tiers else None
    selected = []
    for path in documents:
        name = path.stem
        tier = rows.get(path.name, {}).get("size_tier", "?")
        if args.specs and name not in args.specs:
            continue
        if tiers and tier not in tiers:
            continue
        selected.append((path, name, tier))

    profile = ["--release"] if args.release else []
    subprocess.run(["cargo", "build", "--quiet", *profile, "-p", "specforge"], cwd=ROOT, check=True)
    specforge = str(ROOT / "target" / ("release" if args.release else "debug") / "specforge")
    WORK.mkdir(parents=True, exist_ok=True)

    results = {}
    for path, name, tier in selected:
        # A document that fails must not leave an earlier run's crates to build.
        shutil.rmtree(WORK / name, ignore_errors=True)
        ok, kinds, errors, seconds = generate(specforge, path, name)
        results[name] = {"tier": tier, "generated": ok, "kinds": kinds, "errors": errors,
                         "generate_s": seconds, "built": None, "build_s": 0.0}
        if not ok:
            print(f"{name}: does not generate:\n  " + "\n  ".join(errors[:5]), file=sys.stderr)

    # One workspace for every API, so the dependencies are resolved and
    # compiled once for all of them.
    members = sorted(name for name, result in results.items() if result["generated"])
    (WORK / "Cargo.toml").write_text(
        "[workspace]\nresolver = \"2\"\nmembers = [" + ", ".join(f'"{m}/*"' for m in members) + "]\n"
    )
    for name, result in results.items():
        if not result["generated"]:
            continue
        built, log, seconds = build(name)
        result["built"], result["build_s"] = built, seconds
        if not built:
            print(f"{name}: does not build:\n{log[-4000:]}", file=sys.stderr)
        print(f"{name}: generated in {result['generate_s']:.2f} s, "
              f"{'built' if built else 'FAILED to build'} in {seconds:.0f} s", file=sys.stderr)

    table = render(results, rows)
    print(table)
    if args.write:
        Path(args.write).write_text(
            "# The corpus\n\n"
            "Every document of `../shared/corpus/`, generated by a release build of specforge and\n"
            "built with `cargo clippy -- -D warnings` (`scripts/corpus.py`; build times share one\n"
            "target directory, so the first API built pays for the dependencies).\n\n" + table
        )
    failed = sum(1 for r in results.values() if not (r["generated"] and r["built"]))
    return 1 if failed else 0


def render(results, rows):
    lines = [
        "| spec | tier | OpenAPI | generated | warnings | generate s | built | build s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        version = next((r["openapi_version"] for r in rows.values() if Path(r["name"]).stem == name), "?")
        kinds = "<br>".join(f"{count}× {kind}".replace("|", "\\|") for kind, count in sorted(
            result["kinds"].items(), key=lambda item: (-item[1], item[0]))) or "none"
        built = {None: "-", True: "yes", False: "**no**"}[result["built"]]
        lines.append(
            f"| {name} | {result['tier']} | {version} | {'yes' if result['generated'] else '**no**'} "
            f"| {kinds} | {result['generate_s']:.2f} | {built} | {result['build_s']:.0f} |"
        )
    passed = sum(1 for r in results.values() if r["generated"] and r["built"])
    lines.append("")
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
