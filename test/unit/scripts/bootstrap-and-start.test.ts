// scripts/bootstrap.sh reinstalls only when package-lock.json's content changes (not its mtime),
// and scripts/start.sh passes SIGTERM on to the daemon it started (issue 19, item 18). Both run
// for real with bash, in a copy of the repo's scripts: `npm` is a stub that records its calls (a
// real `npm ci` wipes node_modules and needs the network), everything else is real.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/daemon.ts';
import { alive } from '../../support/processes.ts';

const REAL_NPM = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A checkout with the real scripts; `npm` on PATH records its calls, stubs `ci` (an empty tree) and `ls`, runs the rest for real. */
function checkout(): { root: string; env: NodeJS.ProcessEnv; npmCalls: () => string[] } {
  const root = mkdtempSync(join(tmpdir(), 'sb-scripts-'));
  dirs.push(root);
  mkdirSync(join(root, 'scripts'));
  for (const file of ['bootstrap.sh', 'start.sh', 'start.ts']) copyFileSync(join(REPO_ROOT, 'scripts', file), join(root, 'scripts', file));
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{"name":"x"}}}\n');
  const stubs = join(root, 'stub-bin');
  mkdirSync(stubs);
  writeFileSync(join(stubs, 'npm'), `#!/bin/sh
echo "$*" >> "${join(root, 'npm-calls')}"
case "$1" in
  ci) rm -rf node_modules; mkdir -p node_modules; cp package-lock.json node_modules/.package-lock.json ;;
  ls) exit 0 ;;
  *) exec "${REAL_NPM}" "$@" ;;
esac
`);
  chmodSync(join(stubs, 'npm'), 0o755);
  const env = { ...process.env, PATH: `${stubs}:${dirname(process.execPath)}:/usr/bin:/bin` };
  const npmCalls = () => (existsSync(join(root, 'npm-calls')) ? readFileSync(join(root, 'npm-calls'), 'utf8').trim().split('\n') : []);
  return { root, env, npmCalls };
}

function ensureDeps(root: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('bash', ['-c', 'source scripts/bootstrap.sh && ensure_npm_deps'], { cwd: root, env, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
}

describe('scripts/bootstrap.sh ensure_npm_deps', () => {
  it('installs on a fresh machine, then only when the lockfile content changes, not when it is touched', () => {
    const { root, env, npmCalls } = checkout();
    const lockfile = join(root, 'package-lock.json');
    ensureDeps(root, env);
    expect(npmCalls().filter((call) => call.startsWith('ci'))).toHaveLength(1);

    ensureDeps(root, env);
    expect(npmCalls().filter((call) => call.startsWith('ci'))).toHaveLength(1);

    // A checkout or a touch: newer than the installed tree, same content.
    const later = new Date(Date.now() + 3600_000);
    utimesSync(lockfile, later, later);
    ensureDeps(root, env);
    expect(npmCalls().filter((call) => call.startsWith('ci'))).toHaveLength(1);

    writeFileSync(lockfile, '{"lockfileVersion":3,"packages":{"":{"name":"x","version":"2"}}}\n');
    ensureDeps(root, env);
    expect(npmCalls().filter((call) => call.startsWith('ci'))).toHaveLength(2);
    const recorded = readFileSync(join(root, 'node_modules/.switchboard-lockfile.sha256'), 'utf8').trim();
    expect(recorded).toBe(createHash('sha256').update(readFileSync(lockfile)).digest('hex'));
  });

  it('adopts a tree installed before hashes were recorded when npm finds it complete, instead of reinstalling', () => {
    const { root, env, npmCalls } = checkout();
    mkdirSync(join(root, 'node_modules'));
    const later = new Date(Date.now() + 3600_000);
    utimesSync(join(root, 'package-lock.json'), later, later);
    ensureDeps(root, env);
    expect(npmCalls()).toEqual(['ls --all']);
    expect(existsSync(join(root, 'node_modules/.switchboard-lockfile.sha256'))).toBe(true);
  });
});

describe('scripts/start.sh', () => {
  it('stopped with SIGTERM, stops the daemon it started', async () => {
    const { root, env } = checkout();
    for (const dir of ['main', 'shared', 'bin']) symlinkSync(join(REPO_ROOT, dir), join(root, dir));
    copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
    ensureDeps(root, env);
    // A built UI, newer than its sources: start.sh does not build it here.
    mkdirSync(join(root, 'dist/renderer'), { recursive: true });
    writeFileSync(join(root, 'dist/renderer/index.html'), '<!doctype html>');
    const future = new Date(Date.now() + 24 * 3600_000);
    utimesSync(join(root, 'dist/renderer/index.html'), future, future);
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ version: 1, settings: { httpPort: 0 } }));

    const start = spawn('bash', ['scripts/start.sh', '--data-dir', dataDir, '--port', '0'], { cwd: root, env: { ...env, SWITCHBOARD_HEADLESS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    start.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    start.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
    let daemonPid = 0;
    try {
      while (!output.includes('Open this address')) {
        if (start.exitCode !== null) throw new Error(`start.sh exited early: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      daemonPid = (JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { pid: number }).pid;
      expect(alive(daemonPid)).toBe(true);
      start.kill('SIGTERM');
      await exited;
      // The daemon got the signal too: it stops (and removes daemon.json) rather than living on.
      // Its own stop deadline is 15 s; twice that is "never".
      for (let i = 0; i < 300 && alive(daemonPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(alive(daemonPid)).toBe(false);
      expect(existsSync(join(dataDir, 'daemon.json'))).toBe(false);
    } finally {
      if (start.exitCode === null) start.kill('SIGKILL');
      if (daemonPid && alive(daemonPid)) process.kill(daemonPid, 'SIGKILL');
    }
  }, 120_000);
});

