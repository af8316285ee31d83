#!/usr/bin/env bash
# Lints the document the flagship server serves at /openapi.json with
# Spectral's `spectral:oas` ruleset (.spectral.yaml) and fails on any
# warning. Installs @stoplight/spectral-cli under target/ the first time.
#
#   scripts/spectral.sh                    # the flagship's served document
#   scripts/spectral.sh path/to/openapi.json ...
set -euo pipefail
cd "$(dirname "$0")/.."

version=6.16.3
prefix=target/spectral
spectral=$prefix/node_modules/.bin/spectral
if [ ! -x "$spectral" ] || [ "$("$spectral" --version)" != "$version" ]; then
    npm install --silent --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
        "@stoplight/spectral-cli@$version"
fi

documents=("$@")
if [ ${#documents[@]} -eq 0 ]; then
    documents=(generated-example/payments/payments-server/openapi.json generated-example/payments-v2/payments-v2-server/openapi.json)
fi
"$spectral" lint --ruleset .spectral.yaml --fail-severity=warn "${documents[@]}"
