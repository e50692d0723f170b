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
#
# gnome-keyring-daemon sometimes aborts under the tests' load (a glib assertion: the kernel logs
# "gnome-keyring-d … trap int3 … libglib"). The bus would then start a fresh daemon on the next
# call, which finds the login keyring locked and can only prompt, with no display: every keychain
# test after that failed. So this session's bus starts the Secret Service through our own
# service file, which unlocks the run's keyring with its password, as the first start does.
KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
mkdir -p "$KEYRING_HOME/data" "$KEYRING_HOME/run" "$KEYRING_HOME/services"
chmod 700 "$KEYRING_HOME/run"
cat > "$KEYRING_HOME/start-keyring.sh" <<'SCRIPT'
#!/bin/sh
printf %s switchboard-test | exec gnome-keyring-daemon --unlock --foreground --components=secrets
SCRIPT
chmod 755 "$KEYRING_HOME/start-keyring.sh"
printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s\n' "$KEYRING_HOME/start-keyring.sh" > "$KEYRING_HOME/services/org.freedesktop.secrets.service"
cat > "$KEYRING_HOME/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <servicedir>$KEYRING_HOME/services</servicedir>
  <include>/usr/share/dbus-1/session.conf</include>
</busconfig>
CONF
XDG_DATA_HOME="$KEYRING_HOME/data" XDG_RUNTIME_DIR="$KEYRING_HOME/run" dbus-run-session --config-file="$KEYRING_HOME/session.conf" -- bash "$ROOT/scripts/run-tests-in-session.sh" "$@"
