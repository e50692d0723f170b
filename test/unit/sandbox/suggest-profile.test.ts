import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, suggestSandboxProfile } from '../../../main/sandbox/suggest-profile.ts';

const root = mkdtempSync(path.join(tmpdir(), 'sb-suggest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const host = { home: '/home/u', env: {} };

describe('suggested sandbox profile', () => {
  it('npx: the npm cache read-write and network on (the package is fetched on first start)', () => {
    expect(suggestSandboxProfile({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] }, host))
      .toEqual({ enabled: true, network: 'all', readOnly: [], readWrite: ['~/.npm'] });
  });

  it('uvx: the uv cache (XDG_CACHE_HOME when set)', () => {
    expect(suggestSandboxProfile({ command: '/usr/local/bin/uvx', args: ['mcp-server-fetch'] }, { home: '/home/u', env: { XDG_CACHE_HOME: '/c' } }).readWrite)
      .toEqual(['/c/uv', '~/.local/share/uv']);
  });

  it('server-filesystem: its folder arguments read-write, nothing else; network off for a plain command', () => {
    const allowed = path.join(root, 'allowed');
    mkdirSync(allowed);
    const pkg = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'index.js'), '');
    const profile = suggestSandboxProfile({ command: 'node', args: [path.join(pkg, 'index.js'), allowed, '/does/not/exist'] }, host);
    expect(profile).toEqual({ enabled: true, network: 'none', readOnly: [path.join(root, 'node_modules')], readWrite: [allowed] });
  });

  it('a script outside node_modules: its package folder (nearest package.json)', () => {
    const project = path.join(root, 'proj');
    mkdirSync(path.join(project, 'src'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), '{}');
    writeFileSync(path.join(project, 'src', 'server.js'), '');
    expect(packageRoot(path.join(project, 'src', 'server.js'))).toBe(project);
  });
});
