#!/usr/bin/env bash
# Installs the npm packages the browser checks of the catalog pages use (axe-core, puppeteer-core
# driving Debian's chromium, the AsyncAPI parser with its Avro and Protobuf schema parsers) into a
# cache folder, once: a second run with the same versions does nothing.
set -euo pipefail
if ! command -v npm >/dev/null; then
    echo "installing Debian's nodejs and npm (for the browser checks of the catalog pages)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
dir="${HERALD_NODE_DIR:-$HOME/.cache/herald-node}"
packages=(
    puppeteer-core@24.22.0
    axe-core@4.14.1
    @asyncapi/parser@3.6.6
    @asyncapi/avro-schema-parser@3.1.0
    @asyncapi/protobuf-schema-parser@3.9.0
)
stamp="$dir/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${packages[*]}" ]; then
    exit 0
fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name":"herald-web-checks","private":true}' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${packages[@]}" >&2
echo "${packages[*]}" > "$stamp"
