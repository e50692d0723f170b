// The built web UI (dist/renderer) for the Chromium end-to-end tests: built when missing or older
// than its sources, so a test never drives a stale build. A lock folder keeps two test files that
// start at once from building into the same folder together.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './daemon.ts';

export const RENDERER = join(REPO_ROOT, 'dist', 'renderer');

/** Newest modification time of the files the UI is built from. */
function newestSource(): number {
  let newest = 0;
  const visit = (entry: string): void => {
    const info = statSync(entry, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) for (const name of readdirSync(entry)) visit(join(entry, name));
    else newest = Math.max(newest, info.mtimeMs);
  };
  for (const source of ['renderer', 'shared', 'preload/api.d.ts', 'vite.config.ts', 'package.json']) visit(join(REPO_ROOT, source));
  return newest;
}

function isFresh(): boolean {
  const built = statSync(join(RENDERER, 'index.html'), { throwIfNoEntry: false });
  return built !== undefined && built.mtimeMs >= newestSource();
}

export function ensureRendererBuilt(): void {
  if (isFresh()) return;
  const lock = join(REPO_ROOT, 'dist', '.renderer-build.lock');
  mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building: wait for it, then use its build (a lock older than two minutes is stale).
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    if (isFresh()) return;
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('vite build failed');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
