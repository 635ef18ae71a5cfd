#!/usr/bin/env bash
# Installs Confluent's JavaScript Schema Registry client into a cache folder, once: a second run
# with the same version does nothing. Prints the folder holding node_modules.
set -euo pipefail
if ! command -v npm >/dev/null; then
    echo "installing Debian's nodejs and npm (for the JavaScript client conformance)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
dir="${HERALD_SR_NODE_DIR:-$HOME/.cache/herald-node-sr}"
packages=(@confluentinc/schemaregistry@1.10.1)
stamp="$dir/.installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${packages[*]}" ]; then
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"name":"herald-client-conformance","private":true}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${packages[@]}" >&2
    echo "${packages[*]}" >"$stamp"
fi
echo "$dir/node_modules"
