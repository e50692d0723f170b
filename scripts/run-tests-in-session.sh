#!/usr/bin/env bash
# Runs inside dbus-run-session: starts gnome-keyring's Secret Service with an unlocked login
# keyring, then vitest. Prints a final "N passed, N failed" line from vitest's JSON report.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export $(echo -n "switchboard-test" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null | grep -v '^$' || true) 2>/dev/null || true
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`);
' || true
exit $status
