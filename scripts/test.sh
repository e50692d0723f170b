#!/usr/bin/env bash
# Sets up a fresh machine (Node 24, Debian test packages, npm deps) and runs every check:
# type-check, lint, the production build (tsc + vite, so a build break fails CI), then the whole
# vitest suite inside a D-Bus session with an unlocked gnome-keyring so the keychain tests use
# the real Secret Service.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
ensure_node
ensure_debian_packages
ensure_npm_deps
cd "$ROOT"
npm run --silent typecheck
npm run --silent lint
npm run --silent build
exec dbus-run-session -- bash "$ROOT/scripts/run-tests-in-session.sh" "$@"
