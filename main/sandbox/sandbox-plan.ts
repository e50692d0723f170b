// What one sandboxed launch needs, resolved: absolute paths that exist, split into the runtime's
// read-only install, the profile's read-only and read-write paths, and the network setting. The
// bubblewrap argv (bwrap-args.ts) and the macOS profile (sbpl-profile.ts) are pure functions of it.
import type { SandboxNetwork } from '../../shared/sandbox.ts';

export interface SandboxPlan {
  /** The command, as an absolute path (resolved on the daemon's PATH). */
  readonly command: string;
  readonly args: readonly string[];
  /** The server's working folder, when its config names one (bound read-only unless writable). */
  readonly cwd?: string;
  readonly network: SandboxNetwork;
  /** The runtime's own install (command prefix, node prefix): read-only. */
  readonly runtime: readonly string[];
  readonly readOnly: readonly string[];
  readonly readWrite: readonly string[];
}

/** "/a/b/" → "/a/b"; keeps "/". */
export function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** True when `inner` is `outer` or inside it. */
export function isWithin(inner: string, outer: string): boolean {
  const o = trimSlash(outer);
  const i = trimSlash(inner);
  return i === o || o === '/' || i.startsWith(`${o}/`);
}
