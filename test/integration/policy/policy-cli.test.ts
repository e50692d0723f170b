// `switchboard policy …` and `switchboard approvals …` run as the real binary (bin/switchboard.js)
// against a running `switchboard serve` child whose managed policy comes from
// $SWITCHBOARD_MANAGED_POLICY, with server-memory behind it and the SDK client over HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingApprovalView } from '../../../shared/api/approvals.ts';
import type { EffectivePolicy } from '../../../shared/policy.ts';
import { runCli } from '../../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { resultText, serverEntry } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';

let dir: string;
let managedPath: string;
let daemon: TestDaemon;

interface Run { code: number; stdout: string; stderr: string }

function switchboard(...args: string[]): Promise<Run> {
  return switchboardOn(daemon, ...args);
}

async function switchboardOn(target: TestDaemon, ...args: string[]): Promise<Run> {
  const { code, stdout, stderr } = await runCli(args, { dataDir: target.dataDir, timeoutMs: 20_000 });
  return { code: code ?? 1, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'policy-cli-'));
  managedPath = path.join(dir, 'managed-policy.json');
  await writeFile(managedPath, JSON.stringify({
    version: 1,
    servers: { allow: [{ id: 'only-memory', server: 'memory' }] },
    tools: [
      { id: 'no-delete', match: 'memory/delete_*', action: 'deny' },
      { id: 'ask-create', match: 'memory/create_*', action: 'ask' },
      { id: 'no-secret-search', match: 'memory/search_nodes', arguments: [{ path: 'query', prefix: 'secret' }], action: 'deny' },
    ],
    locks: ['tools'],
    lifecycle: [{ id: 'retire-other', match: { server: 'other' }, state: 'deprecated', owner: 'platform-team' }],
    rateLimits: { rules: [{ per: 'client', match: '**', perMinute: 600, burst: 600 }] },
  }));
  daemon = await startTestDaemon({
    env: { SWITCHBOARD_MANAGED_POLICY: managedPath },
    servers: [
      { id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
      { id: 'other', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'] },
    ],
  });
});

afterAll(async () => {
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('switchboard policy (real binary, running daemon)', () => {
  it('show --json prints the daemon\'s effective policy: the managed file from $SWITCHBOARD_MANAGED_POLICY, each rule with its source, locks', async () => {
    const run = await switchboard('policy', 'show', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const effective = JSON.parse(run.stdout) as EffectivePolicy;
    expect(effective.sources[0]).toEqual({ source: 'managed', state: 'active', location: managedPath });
    expect(effective.failClosed).toBeNull();
    expect(effective.tools.map((t) => `${t.source}: ${t.name}`)).toEqual(['managed: no-delete', 'managed: ask-create', 'managed: no-secret-search']);
    expect(effective.servers).toEqual([expect.objectContaining({ source: 'managed', list: 'allow', name: 'only-memory' })]);
    expect(effective.locks).toEqual([{ setting: 'tools', source: 'managed' }]);
    // The sections read elsewhere (lifecycle, guardrails…) are shown too, with their content.
    expect(effective.sections).toEqual(expect.arrayContaining([
      { source: 'managed', section: 'lifecycle', entries: 1, value: [expect.objectContaining({ id: 'retire-other', state: 'deprecated' })] },
      { source: 'managed', section: 'rateLimits', entries: 1, value: expect.objectContaining({ rules: [expect.objectContaining({ per: 'client' })] }) },
    ]));

    const text = await switchboard('policy', 'show');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Effective policy (from the running daemon)');
    expect(text.stdout).toMatch(/managed\s+active\s+\S*managed-policy\.json/);
    expect(text.stdout).toMatch(/managed\s+lifecycle\s+1 entry/);
    expect(text.stdout).toMatch(/managed\s+rateLimits\s+1 entry/);
  });

  it('check prints the decision and the rule that made it, using arguments and server admission', async () => {
    const denied = await switchboard('policy', 'check', 'memory', 'delete_entities');
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('DENY  memory/delete_entities');
    expect(denied.stdout).toContain('rule:   managed: no-delete');

    expect((await switchboard('policy', 'check', 'memory', 'search_nodes', '--args', '{"query":"secret plans"}')).stdout).toContain('rule:   managed: no-secret-search');
    expect((await switchboard('policy', 'check', 'memory', 'search_nodes', '--args', '{"query":"ada"}')).stdout).toContain('ALLOW  memory/search_nodes');

    const json = JSON.parse((await switchboard('policy', 'check', 'other', 'echo', '--json')).stdout) as { admission: unknown; decision: unknown };
    expect(json.admission).toMatchObject({ ok: false, rule: 'servers.allow', source: 'managed' });
    expect(json.decision).toMatchObject({ action: 'deny', label: 'managed: servers.allow' });

    const bad = await switchboard('policy', 'check', 'memory', 'read_graph', '--args', '{oops');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--args is not valid JSON');
  });

  it('validate accepts a valid document and rejects an invalid one with the field path', async () => {
    const ok = await switchboard('policy', 'validate', managedPath);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid policy (3 tool rules, 1 server entries, locks tools)');

    const badPath = path.join(dir, 'bad-policy.json');
    await writeFile(badPath, JSON.stringify({ version: 1, tools: [{ match: 'x/*', action: 'maybe' }] }));
    const bad = await switchboard('policy', 'validate', badPath);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`${badPath} is not a valid policy`);
    expect(bad.stderr).toMatch(/tools\.0\.action/);
  });
});

describe('switchboard approvals (real binary, running daemon)', () => {
  it('list shows a waiting call; answer allow-once lets it complete; history records it', async () => {
    const client = await daemon.httpClient('memory', undefined, 'cli-approvals-test');
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'grace', entityType: 'person', observations: [] }] } });

    const listed = await until(async () => JSON.parse((await switchboard('approvals', 'list', '--json')).stdout) as PendingApprovalView[], { done: (p) => p.length > 0, what: 'a pending approval in `approvals list`' });
    expect(listed[0]).toMatchObject({ serverId: 'memory', tool: 'create_entities', rule: 'managed: ask-create', client: { name: 'cli-approvals-test' } });
    const id = listed[0]!.id;
    const human = await switchboard('approvals', 'list');
    expect(human.stdout).toContain(id);
    expect(human.stdout).toContain(`answer with: switchboard approvals answer ${id} deny|allow-once|allow-session`);

    const invalid = await switchboard('approvals', 'answer', id, 'sure');
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('answer must be one of deny, allow-once, allow-session, always-allow');

    const answered = await switchboard('approvals', 'answer', id, 'allow-once');
    expect(answered).toMatchObject({ code: 0 });
    expect(answered.stdout).toContain(`allow-once: memory/create_entities (${id})`);
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(resultText(await client.callTool({ name: 'read_graph', arguments: {} }))).toContain('grace');

    expect((await switchboard('approvals', 'list')).stdout).toContain('no pending approvals');
    expect((await switchboard('approvals', 'history')).stdout).toMatch(/allow-once\s+memory\/create_entities {2}by cli/);
  });
});

describe('switchboard serve with a corrupt managed policy file', () => {
  it('starts, keeps answering, refuses every server naming the file and why, and `policy show` says so', async () => {
    const corrupt = path.join(dir, 'corrupt-policy.json');
    await writeFile(corrupt, '{ "version": 1, "tools": [ ');
    const broken = await startTestDaemon({
      env: { SWITCHBOARD_MANAGED_POLICY: corrupt },
      servers: [{ id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(dir, 'memory-2.jsonl') } }],
    });
    try {
      const status = await until(() => broken.api['daemon.status']({}), { done: (s) => s.servers[0]?.state === 'failed', what: 'memory to be refused' });
      expect(status.servers[0]!.reason).toContain(`managed policy file ${corrupt} cannot be used (invalid JSON`);
      await expect(broken.httpClient('memory')).rejects.toThrow(`managed policy file ${corrupt} cannot be used`);

      const show = await switchboardOn(broken, 'policy', 'show');
      expect(show.code).toBe(0);
      expect(show.stdout).toContain(`FAIL CLOSED: managed policy file ${corrupt} cannot be used (invalid JSON`);
      expect(show.stdout).toMatch(/managed\s+error\s+\S*corrupt-policy\.json/);
      expect((await switchboardOn(broken, 'approvals', 'list')).stdout).toContain('no pending approvals');
      expect(broken.alive()).toBe(true);
    } finally {
      await broken.stop();
    }
  });
});
