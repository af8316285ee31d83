#!/usr/bin/env bash
# What decoding a generated model costs against serde's derive, as ratios
# measured in the same run (generator/benches/decode.rs): a list of charges
# from bytes, as the client decodes a response, and a request body from a
# parsed value, as the server decodes it.
#
#   scripts/bench-decode.sh
#   BENCH_RUNS=5000 scripts/bench-decode.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet -p specforge --bench decode
