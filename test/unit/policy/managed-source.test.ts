import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManagedPolicy, managedPolicyPath } from '../../../main/policy/managed-source.ts';

describe('managed policy file', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'managed-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('uses the OS path per platform; the env override applies only while nothing exists there', () => {
    const none = () => false;
    expect(managedPolicyPath('linux', {}, none)).toBe('/etc/mcp-switchboard/policy.json');
    expect(managedPolicyPath('darwin', {}, none)).toBe('/Library/Application Support/MCP Switchboard/policy.json');
    expect(managedPolicyPath('win32', { ProgramData: 'D:\\PD' }, none)).toBe('D:\\PD\\MCP Switchboard\\policy.json');
    expect(managedPolicyPath('linux', { SWITCHBOARD_MANAGED_POLICY: '/tmp/p.json' }, none)).toBe('/tmp/p.json');
    expect(managedPolicyPath('linux', { SWITCHBOARD_MANAGED_POLICY: '/tmp/p.json' }, () => true)).toBe('/etc/mcp-switchboard/policy.json');
  });

  it('missing → absent; unreadable, not JSON or invalid → error naming the problem; valid → active', async () => {
    const file = path.join(dir, 'policy.json');
    expect(await loadManagedPolicy(file)).toEqual({ state: 'absent', path: file });
    await writeFile(file, '{"version": 1, "tools": [');
    expect(await loadManagedPolicy(file)).toMatchObject({ state: 'error', path: file, message: expect.stringContaining('invalid JSON') });
    await writeFile(file, JSON.stringify({ version: 2 }));
    expect(await loadManagedPolicy(file)).toMatchObject({ state: 'error', message: expect.stringContaining('version') });
    expect(await loadManagedPolicy(dir)).toMatchObject({ state: 'error', message: expect.stringContaining('cannot read') });
    await writeFile(file, JSON.stringify({ version: 1, tools: [{ match: 'a/*', action: 'deny' }] }));
    expect(await loadManagedPolicy(file)).toMatchObject({ state: 'active', policy: { tools: [{ match: 'a/*', action: 'deny', kind: 'tool' }] } });
  });
});
