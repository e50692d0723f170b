// `npm start`: the desktop app when the Electron binary is installed; otherwise the headless
// daemon serving the web UI, with a message that says so and the address to open.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDataDir } from '../main/config/data-dir.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rendererRoot = path.join(root, 'dist', 'renderer');
const args = process.argv.slice(2);

/**
 * The path require('electron') would return, when that binary exists. Read without calling
 * require('electron'): since Electron 40 that call downloads a missing binary, and this machine
 * may have no network (or want none).
 */
function electronBinary(): string | null {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const relative = readFileSync(pathFile, 'utf8').trim();
    const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative) : path.join(dir, 'dist', relative);
    return relative && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function run(command: string, commandArgs: string[], what: string): void {
  process.stderr.write(`${what}…\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${what} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(1);
  }
}

/** Newest modification time of the files the UI is built from. */
function newestSource(): number {
  let newest = 0;
  const visit = (entry: string): void => {
    const info = statSync(entry, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
    else newest = Math.max(newest, info.mtimeMs);
  };
  for (const source of ['renderer', 'shared', 'preload/api.d.ts', 'vite.config.ts', 'package.json']) visit(path.join(root, source));
  return newest;
}

function ensureRendererBuilt(): void {
  const built = statSync(path.join(rendererRoot, 'index.html'), { throwIfNoEntry: false });
  if (built && built.mtimeMs >= newestSource()) return;
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], built ? 'Rebuilding the UI (its sources changed)' : 'Building the UI (first start only)');
}

function dataDirFromArgs(): string {
  const index = args.indexOf('--data-dir');
  const inline = args.find((a) => a.startsWith('--data-dir='));
  return resolveDataDir(inline ? inline.slice('--data-dir='.length) : index >= 0 ? args[index + 1] : undefined);
}

function forwardSignals(child: ChildProcess): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function waitForDaemon(dataDir: string, pid: number, child: ChildProcess): Promise<{ httpPort: number; apiToken: string } | null> {
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; i < 600 && !exited; i++) {
    try {
      const info = JSON.parse(readFileSync(path.join(dataDir, 'daemon.json'), 'utf8')) as { pid: number; httpPort: number; apiToken: string };
      if (info.pid === pid && info.httpPort > 0) return info;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function startHeadless(): Promise<void> {
  ensureRendererBuilt();
  const dataDir = dataDirFromArgs();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'switchboard.js'), 'serve', '--static-root', rendererRoot, ...args], { cwd: root, stdio: 'inherit' });
  forwardSignals(child);
  const info = await waitForDaemon(dataDir, child.pid ?? -1, child);
  if (!info) return;
  const base = `http://127.0.0.1:${info.httpPort}/`;
  process.stdout.write(`\nElectron binary not found — starting headless with the web UI at ${base}\n`);
  // The token travels in the fragment: never sent to a server, never logged by one; the page
  // moves it to sessionStorage and removes it from the address bar.
  process.stdout.write(`Open this address in your browser (it carries this session's API token):\n  ${base}#token=${encodeURIComponent(info.apiToken)}\n\n`);
}

function startDesktop(binary: string): void {
  if (!existsSync(path.join(root, 'dist', 'main', 'app', 'main.js'))) run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'Compiling the app');
  ensureRendererBuilt();
  const child = spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit' });
  forwardSignals(child);
}

const binary = process.env.SWITCHBOARD_HEADLESS ? null : electronBinary();
if (binary) startDesktop(binary);
else await startHeadless();
