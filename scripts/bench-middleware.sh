#!/usr/bin/env bash
# The cost of the generated rate limiter and idempotency layer per request,
# in memory and in Redis, as ratios against the same router with both layers
# off (generator/benches/middleware.rs). Needs Redis at REDIS_URL (default
# redis://127.0.0.1:6379) for the Redis rows; without it they are left out.
#
#   scripts/bench-middleware.sh
#   BENCH_REQUESTS=50000 scripts/bench-middleware.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet -p specforge --bench middleware
