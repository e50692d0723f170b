// The bubblewrap command line for one launch. New user, pid and ipc namespaces (and net when the
// network is `none`), an empty root with /usr and the needed files of /etc read-only, a fresh
// /tmp, its own /proc and a minimal /dev, the runtime and the profile's paths bound in, and
// --die-with-parent so the server never outlives the daemon. stdio passes through untouched.
import { trimSlash, type SandboxPlan } from './sandbox-plan.ts';

/** How the host's top-level system folders look: on merged-/usr systems /bin, /lib… are symlinks into /usr. */
export interface HostLayout {
  /** e.g. { '/bin': 'usr/bin' } for a symlink; a folder is absent here and listed in `folders`. */
  readonly symlinks: Readonly<Record<string, string>>;
  /** Top-level system folders that are real folders (bound read-only). */
  readonly folders: readonly string[];
}

/** Files and folders of /etc that programs need to resolve names, users, time zones and certificates. */
export const ETC_ENTRIES = [
  '/etc/alternatives', '/etc/ca-certificates', '/etc/ca-certificates.conf', '/etc/gai.conf', '/etc/group',
  '/etc/host.conf', '/etc/hosts', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime',
  '/etc/mime.types', '/etc/nsswitch.conf', '/etc/os-release', '/etc/passwd', '/etc/pki', '/etc/resolv.conf',
  '/etc/ssl', '/etc/timezone',
] as const;

export function bwrapArgs(plan: SandboxPlan, host: HostLayout): string[] {
  const args = ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts'];
  if (plan.network === 'none') args.push('--unshare-net');
  // Run as root, bwrap would otherwise keep the capabilities inside the sandbox.
  args.push('--die-with-parent', '--cap-drop', 'ALL');
  args.push('--ro-bind', '/usr', '/usr');
  for (const [link, target] of Object.entries(host.symlinks).sort()) args.push('--symlink', target, link);
  for (const folder of [...host.folders].sort()) args.push('--ro-bind', folder, folder);
  for (const entry of ETC_ENTRIES) args.push('--ro-bind-try', entry, entry);
  // Before the binds: a profile path under /tmp is mounted on top of the fresh /tmp.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const bind of orderedBinds(plan)) args.push(bind.writable ? '--bind' : '--ro-bind', bind.path, bind.path);
  if (plan.cwd) args.push('--chdir', plan.cwd);
  args.push('--', plan.command, ...plan.args);
  return args;
}

interface Bind {
  readonly path: string;
  readonly writable: boolean;
}

/**
 * Parents before children (a read-only folder with a writable folder inside it works), each path
 * once; a path listed both ways is writable. The cwd is bound read-only when nothing covers it.
 */
export function orderedBinds(plan: SandboxPlan): Bind[] {
  const binds = new Map<string, boolean>();
  const add = (p: string, writable: boolean) => {
    const path = trimSlash(p);
    if (path === '/' ) throw new Error('a sandbox may not bind the whole file system ("/")');
    binds.set(path, (binds.get(path) ?? false) || writable);
  };
  for (const p of plan.runtime) add(p, false);
  for (const p of plan.readOnly) add(p, false);
  for (const p of plan.readWrite) add(p, true);
  if (plan.cwd && !binds.has(trimSlash(plan.cwd))) add(plan.cwd, false);
  return [...binds].map(([path, writable]) => ({ path, writable }))
    .sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function depth(p: string): number {
  return p.split('/').length;
}
