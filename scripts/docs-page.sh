#!/usr/bin/env bash
# Loads the flagship app's `GET /docs` in headless Chromium, with Swagger UI
# served from a local copy (DOCS_ASSETS_DIR), and checks that every operation
# of the effective document is listed on the page. Keeps the page as
# Chromium rendered it and a screenshot under target/docs-page/.
#
# Installs what it needs the first time: Debian's `chromium` package, and the
# `swagger-ui-dist` npm package (the version the server pins) under target/.
#
#   scripts/docs-page.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    apt-get install -y --no-install-recommends chromium >/dev/null
fi

version=$(sed -n 's/^pub const SWAGGER_UI_VERSION: &str = "\(.*\)";/\1/p' templates/server/runtime/docs.rs)
assets=target/docs-assets
viewer=$assets/node_modules/swagger-ui-dist
if ! grep -qs "\"version\": \"$version\"" "$viewer/package.json"; then
    npm install --silent --prefix "$assets" --no-save --no-package-lock --no-audit --no-fund \
        "swagger-ui-dist@$version"
fi

cargo build --quiet -p payments-app
port=${DOCS_PAGE_PORT:-18095}
DOCS_ASSETS_DIR="$viewer" BIND_ADDR="127.0.0.1:$port" RUST_LOG=warn ./target/debug/payments-app &
app=$!
trap 'kill "$app" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done

out=target/docs-page
mkdir -p "$out"
# No network but this server: a page that reached for the CDN would stay empty.
browse=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage
        --no-first-run --user-data-dir="$out/profile" --virtual-time-budget=20000)
"${browse[@]}" --dump-dom "http://127.0.0.1:$port/docs" > "$out/docs.html" 2>"$out/chromium.log"
"${browse[@]}" --window-size=1280,2200 --screenshot="$out/docs.png" \
    "http://127.0.0.1:$port/docs" 2>>"$out/chromium.log"

curl -fsS "http://127.0.0.1:$port/openapi.json" > "$out/openapi.json"
python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
page = open(f"{out}/docs.html").read()
document = json.load(open(f"{out}/openapi.json"))
# Swagger UI gives each operation a block whose id ends in its operationId
# and whose path element carries the path template.
ids = set(re.findall(r'id="operations-[^"]*?-([A-Za-z0-9_]+)"', page))
paths = set(re.findall(r'data-path="([^"]+)"', page))
missing = []
count = 0
for path, item in document["paths"].items():
    for method, operation in item.items():
        if method not in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
            continue
        count += 1
        if operation.get("operationId") not in ids or path not in paths:
            missing.append(f"{method.upper()} {path} ({operation.get('operationId')})")
if missing:
    sys.exit(f"not listed on /docs ({len(missing)} of {count}): {missing}\n"
             f"see {out}/docs.html and {out}/docs.png")
print(f"/docs lists all {count} operations; screenshot in {out}/docs.png")
PY
