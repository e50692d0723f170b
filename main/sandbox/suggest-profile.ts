// The profile suggested for a server when it is added or installed, from its command: the
// package runner's cache (npm's for npx, uv's for uvx, pipx's for pipx), the server's own
// package when an argument names a file in it, and the folders its arguments name (read-write:
// server-filesystem's allowed folders and every server that takes its working folders as
// arguments). Network stays on for package runners (they fetch the package on first start) and
// is off otherwise. Reads the file system, changes nothing.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SandboxProfile } from '../../shared/sandbox.ts';
import { isWithin } from './sandbox-plan.ts';

export interface SuggestInput {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, unknown>;
}

export interface SuggestHost {
  readonly home: string;
  /** Where caches live when the environment does not say (XDG_CACHE_HOME). */
  readonly env: Record<string, string | undefined>;
}

/** Package runners and the cache folders they read and write. */
function runnerCaches(command: string, host: SuggestHost): string[] | undefined {
  const name = path.basename(command).replace(/\.(cmd|exe)$/i, '');
  const cacheHome = host.env.XDG_CACHE_HOME || '~/.cache';
  if (name === 'npx' || name === 'npm' || name === 'pnpm' || name === 'bunx') return [host.env.npm_config_cache || '~/.npm'];
  if (name === 'uvx' || name === 'uv') return [host.env.UV_CACHE_DIR || `${cacheHome}/uv`, '~/.local/share/uv'];
  if (name === 'pipx') return ['~/.local/pipx', `${cacheHome}/pipx`];
  return undefined;
}

export function suggestSandboxProfile(server: SuggestInput, host: SuggestHost): SandboxProfile {
  const readOnly: string[] = [];
  const readWrite: string[] = [];
  const caches = runnerCaches(server.command, host);
  if (caches) readWrite.push(...caches);
  for (const arg of server.args) {
    const value = arg.includes('=') && arg.startsWith('-') ? arg.slice(arg.indexOf('=') + 1) : arg;
    if (!looksLikePath(value)) continue;
    const absolute = path.resolve(server.cwd ?? '/', value.startsWith('~/') ? path.join(host.home, value.slice(2)) : value);
    const kind = kindOf(absolute);
    if (kind === 'dir') readWrite.push(absolute);
    else if (kind === 'file') readOnly.push(packageRoot(absolute));
  }
  if (server.cwd && !readWrite.some((p) => isWithin(server.cwd!, p))) readOnly.push(server.cwd);
  return { enabled: true, network: caches ? 'all' : 'none', readOnly: unique(readOnly), readWrite: unique(readWrite) };
}

function looksLikePath(value: string): boolean {
  return value.startsWith('/') || value.startsWith('./') || value.startsWith('../') || value.startsWith('~/') || value === '.';
}

function kindOf(p: string): 'dir' | 'file' | undefined {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/** A script's package: the folder holding its nearest node_modules ancestor, or its nearest package.json folder, or its own folder. */
export function packageRoot(file: string): string {
  const parts = file.split(path.sep);
  const nm = parts.lastIndexOf('node_modules');
  if (nm > 0) return parts.slice(0, nm + 1).join(path.sep);
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, 'pyproject.toml'))) return dir;
  }
  return path.dirname(file);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
