#!/usr/bin/env bash
# What the generated crates cost to compile: `cargo check` of the types,
# server and client crates of the flagship, github-api.json and asana.yaml,
# each timed with /usr/bin/time once their dependencies are built (the
# first check builds them; each API's own three crates are then cleaned and
# checked alone). Prints wall seconds and the peak memory of one compiler
# process, and the generated Rust lines.
#
#   scripts/bench-build.sh
#
# Not part of CI: it takes minutes and its figures depend on the machine.
# The README's "Performance" section holds the latest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
corpus=${CORPUS_DIR:-$root/../shared/corpus}
work=$root/target/bench-build
export CARGO_TARGET_DIR=$work/target

cargo build --quiet --release -p specforge
specforge=$root/target/release/specforge
mkdir -p "$work"
specs=("payments=$root/specs/payments.yaml" "github=$corpus/github-api.json" "asana=$corpus/asana.yaml")
members=()
for entry in "${specs[@]}"; do
    name=${entry%%=*}
    "$specforge" generate "${entry#*=}" --out "$work/$name" --name "$name" --color never 2>/dev/null >/dev/null
    members+=("\"$name/*\"")
done
(IFS=,; printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "${members[*]}") > "$work/Cargo.toml"

echo "building the dependencies once..." >&2
cargo check --quiet --manifest-path "$work/Cargo.toml" --workspace 2>/dev/null

echo "| API | generated Rust lines | cargo check s | peak MB |"
echo "|---|---|---|---|"
for entry in "${specs[@]}"; do
    name=${entry%%=*}
    packages=(-p "$name-types" -p "$name-server" -p "$name-client")
    # Features unify over the packages selected, so dependencies are
    # checked again for this selection before the timed run.
    cargo check --quiet --manifest-path "$work/Cargo.toml" "${packages[@]}" 2>/dev/null
    cargo clean --quiet --manifest-path "$work/Cargo.toml" "${packages[@]}"
    lines=$(find "$work/$name" -name '*.rs' -print0 | xargs -0 cat | wc -l)
    report=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$report" \
        cargo check --quiet --manifest-path "$work/Cargo.toml" "${packages[@]}"
    read -r seconds kilobytes < <(tail -1 "$report")
    rm -f "$report"
    echo "| $name | $lines | $seconds | $((kilobytes / 1024)) |"
done
