// Turns a server's launch (command, args, cwd, configured env) into the sandboxed one: the
// command resolved on the daemon's PATH, the runtime's install found from it, the profile's paths
// expanded and checked, and the environment cut down to what the server's config says plus the
// few variables a runtime needs to start. The child-process transport calls the returned
// function at its one spawn.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type { SandboxProfile } from '../../shared/sandbox.ts';
import { findOnPath } from './availability.ts';
import { bwrapArgs, type HostLayout } from './bwrap-args.ts';
import { isWithin, type SandboxPlan } from './sandbox-plan.ts';
import { sandboxExecArgs } from './sbpl-profile.ts';

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The complete environment of the child. */
  readonly env: Record<string, string>;
}

/** Given the server's command, args, cwd and configured env (secrets resolved), what to spawn. */
export type WrapLaunch = (launch: { command: string; args: readonly string[]; cwd?: string; env: Record<string, string> }) => LaunchSpec;

/** The daemon variables a runtime needs to start, passed through when set; nothing else of the daemon's environment is. */
export const PASSED_THROUGH_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'] as const;

/** Top-level folders that are part of the system install (bound read-only or as their /usr symlinks). */
const SYSTEM_TOP = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'] as const;

export interface SandboxHost {
  readonly mechanism: 'bwrap' | 'sandbox-exec';
  /** The bwrap binary (Linux). */
  readonly bwrapPath?: string;
  readonly home: string;
  readonly pathVariable: string | undefined;
  /** The daemon's environment, for the passed-through variables. */
  readonly env: NodeJS.ProcessEnv;
  readonly tempRoot: string;
}

export function currentSandboxHost(mechanism: 'bwrap' | 'sandbox-exec', bwrapPath?: string): SandboxHost {
  return { mechanism, ...(bwrapPath ? { bwrapPath } : {}), home: process.env.HOME || homedir(), pathVariable: process.env.PATH, env: process.env, tempRoot: tmpdir() };
}

/** "~/x" → "<home>/x". */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/** The command as an absolute path: as given when it names a path, else the first match on PATH. */
export function resolveCommand(command: string, pathVariable: string | undefined, cwd?: string): string {
  if (command.includes('/')) return path.resolve(cwd ?? process.cwd(), command);
  const found = findOnPath(command, pathVariable);
  if (!found) throw new Error(`sandbox: command "${command}" is not on the PATH (${pathVariable ?? ''})`);
  return found;
}

/**
 * The read-only install a command runs from: the prefix of its bin folder (…/node for
 * …/node/bin/npx), of what it links to, and of the `node` on PATH (scripts start with
 * `#!/usr/bin/env node`). System folders are already bound and left out.
 */
export function runtimePaths(resolvedCommand: string, pathVariable: string | undefined, home?: string): string[] {
  const candidates = [resolvedCommand];
  try {
    candidates.push(realpathSync(resolvedCommand));
  } catch {
    // A missing command fails at spawn, with its own error.
  }
  const node = findOnPath('node', pathVariable);
  if (node) {
    candidates.push(node);
    try {
      candidates.push(realpathSync(node));
    } catch {
      // ignored
    }
  }
  const prefixes = new Set<string>();
  for (const file of candidates) {
    const dir = path.dirname(file);
    const prefix = path.basename(dir) === 'bin' ? path.dirname(dir) : dir;
    if (isSystemPath(prefix)) continue;
    // ~/bin/node, ~/.local/bin/uvx: the prefix would be the home folder or ~/.local, which hold
    // far more than the runtime. Only the program itself is bound then.
    if (home && (isWithin(home, prefix) || prefix === path.join(home, '.local'))) {
      prefixes.add(file);
      continue;
    }
    prefixes.add(prefix);
  }
  return [...prefixes];
}

function isSystemPath(p: string): boolean {
  return p === '/' || isWithin(p, '/usr') || SYSTEM_TOP.some((top) => isWithin(p, top));
}

export function hostLayout(): HostLayout {
  const symlinks: Record<string, string> = {};
  const folders: string[] = [];
  for (const top of SYSTEM_TOP) {
    try {
      const target = realpathSync(top);
      if (target === top) folders.push(top);
      else if (isWithin(target, '/usr')) symlinks[top] = path.relative('/', target);
      else folders.push(top);
    } catch {
      // not on this system
    }
  }
  return { symlinks, folders };
}

/**
 * Checks the profile's paths: a missing read-write path under the temp folder is created (the
 * server's scratch space); any other missing path is refused with a message.
 */
export function checkedPaths(profile: Pick<SandboxProfile, 'readOnly' | 'readWrite'>, host: Pick<SandboxHost, 'home' | 'tempRoot'>): { readOnly: string[]; readWrite: string[] } {
  const resolve = (p: string) => path.resolve(expandHome(p, host.home));
  const readOnly = profile.readOnly.map(resolve);
  const readWrite = profile.readWrite.map(resolve);
  for (const p of readOnly) {
    if (!existsSync(p)) throw new Error(`sandbox: read-only path ${p} does not exist; create it or remove it from the profile (\`switchboard server sandbox <id> set --remove ${p}\`)`);
  }
  for (const p of readWrite) {
    if (existsSync(p)) continue;
    if (isWithin(p, host.tempRoot) && p !== path.resolve(host.tempRoot)) {
      mkdirSync(p, { recursive: true, mode: 0o700 });
      continue;
    }
    throw new Error(`sandbox: read-write path ${p} does not exist; create it or remove it from the profile (\`switchboard server sandbox <id> set --remove ${p}\`)`);
  }
  return { readOnly, readWrite };
}

/** The child's environment: the passed-through variables, HOME and TMPDIR, then the server's configured env. */
export function sandboxEnv(configured: Record<string, string>, host: Pick<SandboxHost, 'env' | 'home'>, tempDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH_ENV) {
    const value = host.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.HOME = host.home;
  env.TMPDIR = tempDir;
  return { ...env, ...configured };
}

/** Prepares a sandboxed launch; throws (with what to fix) when a profile path is unusable. */
export function sandboxWrapper(profile: SandboxProfile, host: SandboxHost): WrapLaunch {
  const paths = checkedPaths(profile, host);
  return (launch) => {
    const command = resolveCommand(launch.command, launch.env.PATH ?? host.pathVariable, launch.cwd);
    // A cwd is bound read-only so the server starts in it, unless it is the home folder (or holds
    // it): then the server starts in / and reaches only its profile's paths.
    const cwd = launch.cwd ? path.resolve(launch.cwd) : undefined;
    const plan: SandboxPlan = {
      command,
      args: launch.args,
      ...(cwd && !isWithin(host.home, cwd) ? { cwd } : {}),
      network: profile.network,
      runtime: runtimePaths(command, host.pathVariable, host.home).filter(exists),
      readOnly: paths.readOnly,
      readWrite: paths.readWrite,
    };
    if (host.mechanism === 'bwrap') {
      if (!host.bwrapPath) throw new Error('sandbox: bwrap is not available');
      return { command: host.bwrapPath, args: bwrapArgs(plan, hostLayout()), ...(launch.cwd ? { cwd: launch.cwd } : {}), env: sandboxEnv(launch.env, host, '/tmp') };
    }
    const tempDir = mkdtempSync(path.join(host.tempRoot, 'switchboard-sandbox-'));
    return { command: '/usr/bin/sandbox-exec', args: sandboxExecArgs(plan, tempDir), ...(launch.cwd ? { cwd: launch.cwd } : {}), env: sandboxEnv(launch.env, host, tempDir) };
  };
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
