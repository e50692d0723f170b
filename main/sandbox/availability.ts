// Which sandbox this machine can run, probed once per process: `bwrap` on the PATH and able to
// create a user namespace (Linux), /usr/bin/sandbox-exec (macOS), nothing on Windows. A missing or
// unusable sandbox is reported with one message saying what to install or ask IT for; nothing
// retries (a server needing the sandbox is refused at admission, so it is not restarted either).
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { SandboxSupport } from '../../shared/sandbox.ts';

export const BWRAP_INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`; Arch: `sudo pacman -S bubblewrap`) or ask IT to';
export const USERNS_HINT = 'bubblewrap cannot create a user namespace here: unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0, or an AppArmor profile for bwrap on Ubuntu 24.04+); ask IT to enable them';

export interface ProbeEnvironment {
  readonly platform: NodeJS.Platform;
  readonly pathVariable: string | undefined;
  /** Runs `bwrap` with a trivial sandbox; returns its exit status and stderr. */
  readonly tryBwrap?: (bwrap: string) => { status: number | null; stderr: string; error?: Error };
}

/** The first executable `name` on PATH, or undefined. */
export function findOnPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function runBwrap(bwrap: string): { status: number | null; stderr: string; error?: Error } {
  const result = spawnSync(bwrap, ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-net', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', 'true'], {
    encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { status: result.status, stderr: result.stderr ?? '', ...(result.error ? { error: result.error } : {}) };
}

export function probeSandboxSupport(env: ProbeEnvironment): SandboxSupport & { bwrapPath?: string } {
  if (env.platform === 'win32') {
    return { available: false, mechanism: 'none', message: 'not sandboxed: Windows has no sandbox in this version of MCP Switchboard' };
  }
  if (env.platform === 'darwin') {
    try {
      accessSync('/usr/bin/sandbox-exec', constants.X_OK);
      return { available: true, mechanism: 'sandbox-exec' };
    } catch {
      return { available: false, mechanism: 'none', message: 'not sandboxed: /usr/bin/sandbox-exec is missing on this Mac; ask IT' };
    }
  }
  if (env.platform !== 'linux') return { available: false, mechanism: 'none', message: `not sandboxed: no sandbox for ${env.platform}` };
  const bwrap = findOnPath('bwrap', env.pathVariable);
  if (!bwrap) return { available: false, mechanism: 'none', message: `not sandboxed: bwrap (bubblewrap) is not on the PATH; ${BWRAP_INSTALL_HINT}` };
  const result = (env.tryBwrap ?? runBwrap)(bwrap);
  if (result.error) return { available: false, mechanism: 'none', message: `not sandboxed: ${bwrap} cannot be run (${result.error.message}); ${BWRAP_INSTALL_HINT}` };
  if (result.status !== 0) {
    const said = result.stderr.trim().split('\n')[0] ?? '';
    const userns = /namespace|uid map|setting up uid|Operation not permitted|Permission denied/i.test(said);
    return { available: false, mechanism: 'none', message: `not sandboxed: ${userns ? USERNS_HINT : `${bwrap} failed its self-test; ${BWRAP_INSTALL_HINT} again`} (bwrap said: ${said || `exit ${result.status}`})` };
  }
  return { available: true, mechanism: 'bwrap', bwrapPath: bwrap };
}

let cached: (SandboxSupport & { bwrapPath?: string }) | undefined;

/** This process's sandbox, probed on first use and remembered (no retry loop). */
export function sandboxSupport(): SandboxSupport & { bwrapPath?: string } {
  cached ??= probeSandboxSupport({ platform: process.platform, pathVariable: process.env.PATH });
  return cached;
}
