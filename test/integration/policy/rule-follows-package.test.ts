// A managed tool rule keyed on a package, against a real `switchboard serve` child: the same
// server-everything launch command added under three different ids (the user's choice, so a rule
// keyed on ids binds nothing) has its `echo` tool hidden and refused under every one of them,
// while its other tools still work. `switchboard policy show` flags a managed rule keyed on ids only.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestDaemon, SWITCHBOARD_BIN, type TestDaemon } from '../../support/daemon.ts';
import { resultText } from '../../support/policy-fixture.ts';

const IDS = ['everything', 'echo2', 'Echo'];
let dir: string;
let daemon: TestDaemon;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'policy-package-rule-'));
  const managedPath = path.join(dir, 'managed-policy.json');
  await writeFile(managedPath, JSON.stringify({
    version: 1,
    tools: [
      { id: 'no-echo', server: { package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything' } }, match: '*/echo', action: 'deny' },
      { id: 'id-only', match: 'memory/delete_*', action: 'deny' },
    ],
  }));
  // `npx` runs the copy installed in this repo's node_modules (no network needed), and policy
  // infers the package from the command, whatever the server's id.
  daemon = await startTestDaemon({
    env: { SWITCHBOARD_MANAGED_POLICY: managedPath },
    servers: IDS.map((id) => ({ id, transport: 'stdio' as const, command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'], cwd: REPO_ROOT })),
  });
});

afterAll(async () => {
  await daemon?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a managed tool rule keyed on a package', () => {
  it.each(IDS)('denies echo under the server id %s, and leaves its other tools alone', async (id) => {
    const client = await daemon.httpClient(id);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('get-sum');
    expect(names).not.toContain('echo');
    const refused = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toContain('managed: no-echo');
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    expect(sum.isError).toBeFalsy();
    expect(resultText(sum)).toContain('5');
  });

  it('policy show flags the managed rule keyed on ids only, not the one keyed on the package', async () => {
    const shown = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [SWITCHBOARD_BIN, 'policy', 'show', '--data-dir', daemon.dataDir], { timeout: 20_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const line = (name: string) => shown.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line('id-only')).toContain('warning: keys on server ids only');
    expect(line('no-echo')).not.toContain('warning');
  });
});
