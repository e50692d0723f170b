#!/usr/bin/env bash
# Sets up a fresh machine (Node 24, npm deps) and starts MCP Switchboard: the Electron app when
# its binary is present, otherwise the headless daemon with the web UI (it says which).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_node
ensure_npm_deps
cd "$ROOT"
# `npm start`'s own command, run without npm in between: npm and its `sh -c` did not pass SIGTERM
# on, so stopping this script left the daemon running. start.ts forwards SIGINT/SIGTERM/SIGHUP.
exec node "$ROOT/scripts/start.ts" "$@"
