#!/usr/bin/env bash
# Sets up a fresh machine (Node 24, npm deps) and starts MCP Switchboard: the Electron app when
# its binary is present, otherwise the headless daemon with the web UI (it says which).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_node
ensure_npm_deps
cd "$ROOT"
exec npm start -- "$@"
