#!/usr/bin/env python3
"""The corpus runner: generates every document of the public corpus
(../shared/corpus/), builds each API's three crates with
`cargo clippy -- -D warnings` in one workspace with one shared target
directory, and prints a table: spec, generated, warnings by kind, seconds,
built, then round-trips a sample of the document's own examples through
the generated types (`--example-tests`), and lints it (`specforge lint`:
findings by rule, in a second table). The last line reads
`N passed, M failed`; the exit code is 1 when anything failed.

    scripts/corpus.py                      # every document
    scripts/corpus.py --tiers S,M          # the small and medium ones (CI)
    scripts/corpus.py discord-31 spotify   # named documents
    scripts/corpus.py --release --write docs/corpus.md   # the committed table

A document passes when it generates, its crates build warning-free and
every example the types accept comes back equal. Examples that break the
document's own schema are counted and listed, not failed: they are the
document's mistakes.
"""

import argparse
import collections
import csv
import json
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
        [specforge, "generate", str(spec), "--out", str(out), "--name", name, "--color", "never",
         "--example-tests"],
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


def lint(specforge, spec):
    """`specforge lint --format json`: (errors, warnings, {rule: count}), or
    None when lint could not read a document that generates."""
    result = subprocess.run([specforge, "lint", str(spec), "--format", "json"],
                            capture_output=True, text=True)
    if result.returncode not in (0, 1):
        return None
    report = json.loads(result.stdout)
    rules = collections.Counter(finding["rule"] for finding in report["findings"])
    return report["errors"], report["warnings"], dict(rules)


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


TALLY = re.compile(r"^examples: (\d+) round-tripped, (\d+) rejected, (\d+) changed, "
                   r"(\d+) undeclared properties ignored$", re.M)


def round_trip(name):
    """Runs the types crate's example test: (round-tripped, rejected, changed,
    ignored properties, the lines naming each rejected or changed example and
    ignored property), or None when the document has no examples of its types."""
    if not (WORK / name / f"{name}-types" / "tests" / "examples" / "main.rs").exists():
        return None
    result = subprocess.run(
        ["cargo", "test", "--quiet", "--manifest-path", str(WORK / "Cargo.toml"),
         "-p", f"{name}-types", "--test", "examples", "--", "--nocapture"],
        capture_output=True,
        text=True,
        env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)},
    )
    tally = TALLY.search(result.stdout)
    if not tally:
        # Not even a tally: the test did not build or run.
        return 0, 0, -1, 0, (result.stdout + result.stderr).splitlines()[-20:]
    passed, rejected, changed, ignored = (int(n) for n in tally.groups())
    details = [line for line in result.stdout.splitlines()
               if line.startswith(("rejected by the schema: ", "changed by the round trip: ",
                                   "ignored, not declared: "))]
    return passed, rejected, changed, ignored, details


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
        else:
            results[name]["lint"] = lint(specforge, path)
            if results[name]["lint"] is None:
                print(f"{name}: generates but `specforge lint` cannot read it", file=sys.stderr)

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
        if built:
            result["examples"] = round_trip(name)
            if result["examples"] and result["examples"][2]:
                print(f"{name}: examples do not round-trip:\n  " +
                      "\n  ".join(result["examples"][4][:20]), file=sys.stderr)

    table = render(results, rows) + "\n" + render_lint(results) + "\n" + tally(results)
    print(table)
    if args.write:
        Path(args.write).write_text(
            "# The corpus\n\n"
            "Every document of `../shared/corpus/`, generated by a release build of specforge and\n"
            "built with `cargo clippy -- -D warnings` (`scripts/corpus.py`; build times share one\n"
            "target directory, so the first API built pays for the dependencies). \"examples\"\n"
            "counts the document's own examples of its types (a sample: at most three a type, two\n"
            "items of a list) that decode into the generated types and encode back equal, of those\n"
            "tried; the ones the document's own schema rejects are listed under the table.\n\n"
            + table + rejections(results)
        )
    failed = sum(1 for r in results.values() if not passed(r))
    return 1 if failed else 0


def passed(result):
    examples = result.get("examples")
    linted = not result["generated"] or result.get("lint") is not None
    return result["generated"] and result["built"] and linted and not (examples and examples[2])


def render_lint(results):
    """What `specforge lint` finds in each document, by rule."""
    lines = [
        "| spec | lint errors | lint warnings | findings by rule |",
        "|---|---|---|---|",
    ]
    for name, result in results.items():
        report = result.get("lint")
        if report is None:
            lines.append(f"| {name} | - | - | {'**lint failed**' if result['generated'] else '-'} |")
            continue
        errors, warnings, rules = report
        by_rule = "<br>".join(f"{count}× `{rule}`" for rule, count in sorted(
            rules.items(), key=lambda item: (-item[1], item[0]))) or "none"
        lines.append(f"| {name} | {errors} | {warnings} | {by_rule} |")
    return "\n".join(lines) + "\n"


def examples_cell(result):
    examples = result.get("examples")
    if result["built"] is not True:
        return "-"
    if examples is None:
        return "none given"
    round_tripped, rejected, changed, ignored, _ = examples
    if changed < 0:
        return "**did not run**"
    cell = f"{round_tripped} of {round_tripped + rejected + changed}"
    notes = []
    if rejected:
        notes.append(f"{rejected} break the schema")
    if ignored:
        notes.append(f"{ignored} undeclared properties ignored")
    if notes:
        cell += f" ({', '.join(notes)})"
    if changed:
        cell += f", **{changed} changed**"
    return cell


IGNORED = "ignored, not declared: "
# Undeclared properties are many in some documents: a few of each are listed.
IGNORED_LISTED = 5


def rejections(results):
    lines = []
    for name, result in results.items():
        details = (result.get("examples") or (0, 0, 0, 0, []))[4]
        ignored = [line for line in details if line.startswith(IGNORED)]
        for line in details:
            if not line.startswith(IGNORED):
                lines.append(f"- {name}: {line}".replace("|", "\\|"))
        for line in ignored[:IGNORED_LISTED]:
            lines.append(f"- {name}: {line}".replace("|", "\\|"))
        if len(ignored) > IGNORED_LISTED:
            lines.append(f"- {name}: ... and {len(ignored) - IGNORED_LISTED} more undeclared "
                         "properties ignored")
    if not lines:
        return ""
    return ("\nExamples that do not round-trip as given: the spec's own example breaks its "
            "schema, has properties the schema does not declare (which the types ignore), or "
            "the round trip changed it:\n\n" + "\n".join(lines) + "\n")


def render(results, rows):
    lines = [
        "| spec | tier | OpenAPI | generated | warnings | generate s | built | build s | examples |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        version = next((r["openapi_version"] for r in rows.values() if Path(r["name"]).stem == name), "?")
        kinds = "<br>".join(f"{count}× {kind}".replace("|", "\\|") for kind, count in sorted(
            result["kinds"].items(), key=lambda item: (-item[1], item[0]))) or "none"
        built = {None: "-", True: "yes", False: "**no**"}[result["built"]]
        lines.append(
            f"| {name} | {result['tier']} | {version} | {'yes' if result['generated'] else '**no**'} "
            f"| {kinds} | {result['generate_s']:.2f} | {built} | {result['build_s']:.0f} "
            f"| {examples_cell(result)} |"
        )
    return "\n".join(lines) + "\n"


def tally(results):
    count = sum(1 for r in results.values() if passed(r))
    return f"{count} passed, {len(results) - count} failed\n"


if __name__ == "__main__":
    sys.exit(main())
