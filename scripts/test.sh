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
# The keychain tests get a keyring of their own for each run: a fresh login keyring in a private
# data folder, and a private runtime folder, for the session's gnome-keyring and for any the bus
# starts on demand. The user's keyring is never touched, and no state (entries a run leaves,
# another session's daemon) carries over from one run to the next.
KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
mkdir -p "$KEYRING_HOME/data" "$KEYRING_HOME/run"
chmod 700 "$KEYRING_HOME/run"
XDG_DATA_HOME="$KEYRING_HOME/data" XDG_RUNTIME_DIR="$KEYRING_HOME/run" dbus-run-session -- bash "$ROOT/scripts/run-tests-in-session.sh" "$@"
