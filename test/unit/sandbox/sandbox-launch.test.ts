import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkedPaths, expandHome, runtimePaths, sandboxEnv } from '../../../main/sandbox/sandbox-launch.ts';

const root = mkdtempSync(path.join(tmpdir(), 'sb-launch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('the runtime a command runs from', () => {
  it('is the prefix of its bin folder, and of the node on PATH', () => {
    const npx = executable(path.join(root, 'opt', 'node', 'bin', 'npx'));
    executable(path.join(root, 'opt', 'node', 'bin', 'node'));
    expect(runtimePaths(npx, path.join(root, 'opt', 'node', 'bin'))).toEqual([path.join(root, 'opt', 'node')]);
  });

  it('never the home folder or ~/.local: only the program then (~/bin/node, ~/.local/bin/uvx)', () => {
    const home = path.join(root, 'home');
    const node = executable(path.join(home, 'bin', 'node'));
    const uvx = executable(path.join(home, '.local', 'bin', 'uvx'));
    expect(runtimePaths(node, '', home)).toEqual([node]);
    expect(runtimePaths(uvx, '', home)).toEqual([uvx]);
    // Followed links count: a program that links into a prefix elsewhere brings that prefix.
    const real = executable(path.join(root, 'versions', 'v24', 'bin', 'node'));
    const link = path.join(home, '.local', 'bin', 'node');
    symlinkSync(real, link);
    expect(runtimePaths(link, '', home)).toEqual([link, path.join(root, 'versions', 'v24')]);
  });
});

describe('profile paths and environment at launch', () => {
  it('expands ~, refuses a missing path outside the temp folder and creates one inside it', () => {
    expect(expandHome('~/.npm', '/home/u')).toBe('/home/u/.npm');
    const host = { home: root, tempRoot: path.join(root, 'tmp') };
    mkdirSync(host.tempRoot);
    expect(() => checkedPaths({ readOnly: ['~/absent'], readWrite: [] }, host)).toThrow(`read-only path ${path.join(root, 'absent')} does not exist`);
    expect(checkedPaths({ readOnly: [], readWrite: [path.join(host.tempRoot, 'scratch', 'a')] }, host).readWrite).toEqual([path.join(host.tempRoot, 'scratch', 'a')]);
    expect(() => checkedPaths({ readOnly: [], readWrite: [host.tempRoot] }, { ...host, tempRoot: path.join(root, 'tmp2') })).not.toThrow();
  });

  it('passes only PATH and locale from the daemon, sets HOME and TMPDIR, then the configured env', () => {
    const env = sandboxEnv({ API_URL: 'https://x', PATH: '/custom' }, { home: '/home/u', env: { PATH: '/usr/bin', LANG: 'C.UTF-8', AWS_SECRET_ACCESS_KEY: 'leak', SSH_AUTH_SOCK: '/run/ssh' } }, '/tmp');
    expect(env).toEqual({ PATH: '/custom', LANG: 'C.UTF-8', HOME: '/home/u', TMPDIR: '/tmp', API_URL: 'https://x' });
  });
});
