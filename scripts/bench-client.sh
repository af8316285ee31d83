#!/usr/bin/env bash
# The cost of the generated client per call, as ratios against a
# hand-written reqwest call of the same request decoding the same typed
# body, both against the flagship app on a local socket
# (generator/benches/client.rs).
#
#   scripts/bench-client.sh
#   BENCH_REQUESTS=20000 scripts/bench-client.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet -p specforge --bench client
