import { describe, expect, it } from 'vitest';
import { bwrapArgs, orderedBinds } from '../../../main/sandbox/bwrap-args.ts';
import type { SandboxPlan } from '../../../main/sandbox/sandbox-plan.ts';

const host = { symlinks: { '/bin': 'usr/bin', '/lib': 'usr/lib' }, folders: ['/lib64'] };
const plan = (extra: Partial<SandboxPlan> = {}): SandboxPlan => ({
  command: '/opt/node/bin/node', args: ['/srv/pkg/index.js', '--flag'], network: 'none',
  runtime: ['/opt/node'], readOnly: ['/srv/pkg'], readWrite: ['/home/u/data'], ...extra,
});

/** The values that follow each occurrence of `flag` (arity `n`). */
function values(args: string[], flag: string, n = 2): string[][] {
  const out: string[][] = [];
  args.forEach((a, i) => { if (a === flag) out.push(args.slice(i + 1, i + 1 + n)); });
  return out;
}

describe('bubblewrap argv', () => {
  it('unshares user, pid and ipc, and net only for network none; dies with its parent', () => {
    const none = bwrapArgs(plan(), host);
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-net', '--die-with-parent']) expect(none).toContain(flag);
    const all = bwrapArgs(plan({ network: 'all' }), host);
    expect(all).not.toContain('--unshare-net');
    expect(all).toContain('--unshare-user');
  });

  it('mounts /usr read-only, recreates merged-/usr symlinks, a fresh /tmp, /proc and a minimal /dev', () => {
    const args = bwrapArgs(plan(), host);
    expect(values(args, '--ro-bind')).toContainEqual(['/usr', '/usr']);
    expect(values(args, '--ro-bind')).toContainEqual(['/lib64', '/lib64']);
    expect(values(args, '--symlink')).toEqual([['usr/bin', '/bin'], ['usr/lib', '/lib']]);
    expect(values(args, '--tmpfs', 1)).toEqual([['/tmp']]);
    expect(values(args, '--proc', 1)).toEqual([['/proc']]);
    expect(values(args, '--dev', 1)).toEqual([['/dev']]);
    expect(values(args, '--ro-bind-try')).toContainEqual(['/etc/resolv.conf', '/etc/resolv.conf']);
    expect(args.some((a) => a === '/etc' || a === '/home' || a === '/root')).toBe(false);
  });

  it('binds the runtime and read-only paths read-only and read-write paths writable, after /tmp, then runs the command', () => {
    const args = bwrapArgs(plan({ readWrite: ['/tmp/scratch'] }), host);
    expect(values(args, '--ro-bind')).toContainEqual(['/opt/node', '/opt/node']);
    expect(values(args, '--ro-bind')).toContainEqual(['/srv/pkg', '/srv/pkg']);
    expect(values(args, '--bind')).toEqual([['/tmp/scratch', '/tmp/scratch']]);
    expect(args.indexOf('--bind')).toBeGreaterThan(args.indexOf('--tmpfs'));
    const sep = args.indexOf('--');
    expect(args.slice(sep)).toEqual(['--', '/opt/node/bin/node', '/srv/pkg/index.js', '--flag']);
  });

  it('orders parents before children, merges duplicates (writable wins) and binds the cwd read-only', () => {
    const binds = orderedBinds(plan({ readOnly: ['/srv/a/b/', '/srv/a'], readWrite: ['/srv/a/b'], runtime: [], cwd: '/work/dir' }));
    expect(binds).toEqual([
      { path: '/srv/a', writable: false },
      { path: '/work/dir', writable: false },
      { path: '/srv/a/b', writable: true },
    ]);
    expect(bwrapArgs(plan({ cwd: '/work/dir' }), host).slice(-6, -4)).toEqual(['--chdir', '/work/dir']);
  });

  it('refuses to bind the whole file system', () => {
    expect(() => bwrapArgs(plan({ readOnly: ['/'] }), host)).toThrow(/whole file system/);
  });
});
