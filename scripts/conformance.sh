#!/usr/bin/env bash
# Holds the flagship app to its own effective OpenAPI document with
# schemathesis (every check), bounded in time. Installs schemathesis into a
# virtual environment under target/ the first time.
#
#   scripts/conformance.sh                 # 25 examples per operation
#   MAX_EXAMPLES=100 scripts/conformance.sh
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/conformance-venv
version=4.32.5
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

cargo build --quiet -p payments-app
port=${CONFORMANCE_PORT:-18090}
key=conformance-key
# The limiter stays on with quotas no test run reaches, so its headers are
# checked without 429s drowning the other checks.
BIND_ADDR="127.0.0.1:$port" PAYMENTS_API_KEYS="$key" RUST_LOG=warn \
    RATE_LIMITS="default=10000000/60,burst=10000000/1" ./target/debug/payments-app &
app=$!
trap 'kill "$app" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
        break
    fi
    sleep 0.1
done

# schemathesis keeps a cache (.schemathesis/) in the directory it runs from:
# run it from one under target/ so the cache never lands in the repository.
root=$(pwd)
work=target/conformance
mkdir -p "$work"
cd "$work"
timeout "${CONFORMANCE_TIMEOUT:-600}" "$root/$venv/bin/schemathesis" \
    --config-file "$root/scripts/schemathesis.toml" \
    run "http://127.0.0.1:$port/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --checks all \
    --header "X-API-Key: $key" \
    --max-examples "${MAX_EXAMPLES:-25}" \
    --generation-deterministic \
    --no-color
