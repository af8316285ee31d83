#!/usr/bin/env bash
# Regenerates every committed output: the flagship example and the feature
# crates under tests/generated/. Run after changing the generator or a spec,
# then review the diff and the snapshot changes (`cargo insta review`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p specforge
specforge=target/debug/specforge

"$specforge" generate specs/payments.yaml --out generated-example/payments --name payments
"$specforge" generate specs/payments-v2.yaml --out generated-example/payments-v2 --name payments-v2
for spec in tests/specs/*.yaml; do
    feature=$(basename "$spec" .yaml)
    flags=()
    # The examples feature also proves the round-trip tests of `--example-tests`.
    [ "$feature" = examples ] && flags=(--example-tests)
    "$specforge" generate "$spec" --out "tests/generated/$feature" --name "$feature" "${flags[@]}"
done
"$specforge" generate tests/specs/external/api.yaml --out tests/generated/external --name external
"$specforge" generate tests/specs/corpus/swagger-petstore-v3.yaml --out tests/generated/petstore --name petstore
