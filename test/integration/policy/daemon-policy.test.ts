// The policy stack wired into the real daemon (in-process Daemon: relay sessions, supervisor,
// loopback HTTP endpoint with bearer tokens, /api): what the lead's `serve` wiring will look like.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { approvalsContract } from '../../../shared/api/approvals.ts';
import { createApiClient } from '../../../shared/api/define.ts';
import { policyContract } from '../../../shared/api/policy.ts';
import type { ToolRule } from '../../../shared/policy.ts';
import { Daemon } from '../../../main/daemon.ts';
import { httpCallTransport } from '../../../main/endpoints/daemon-client.ts';
import { PolicyStack } from '../../../main/policy/policy-stack.ts';
import { silentLogger } from '../../../main/relay/logger.ts';
import { serverEntry } from '../../support/policy-harness.ts';

interface Running { dir: string; daemon: Daemon; stack: PolicyStack; clients: Client[]; token: string; port: number; apiToken: string; userRules: ToolRule[] }
let running: Running | undefined;

afterEach(async () => {
  if (!running) return;
  await Promise.allSettled(running.clients.map((c) => c.close()));
  await running.daemon.stop();
  running.stack.stop();
  await rm(running.dir, { recursive: true, force: true });
  running = undefined;
});

async function start(managed: object): Promise<Running> {
  const dir = await mkdtemp(path.join(tmpdir(), 'policy-daemon-'));
  const token = `sbt_${randomBytes(24).toString('base64url')}`;
  await writeFile(path.join(dir, 'managed.json'), JSON.stringify({ version: 1, ...managed }));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({
    version: 1,
    servers: [
      { id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'] },
    ],
    tokens: [{ name: 'test-client', sha256: createHash('sha256').update(token).digest('hex'), createdAt: new Date().toISOString() }],
    settings: { httpPort: 0 },
  }));
  const userRules: ToolRule[] = [];
  const ref: { daemon?: Daemon } = {};
  const stack = new PolicyStack({
    dataDir: dir,
    managedPath: path.join(dir, 'managed.json'),
    userPolicy: () => ({ tools: userRules }),
    addUserRule: (rule) => { userRules.unshift(rule); stack.userPolicyChanged(); },
    serverConfig: (id) => ref.daemon?.supervisor.config(id),
    lookupTool: async (id, name) => (await ref.daemon!.supervisor.tools(id)).find((t) => t.name === name),
    managedPollMs: 0,
  });
  await stack.start();
  const daemon = new Daemon({
    dataDir: dir,
    logger: silentLogger,
    httpPort: 0,
    autoStart: false,
    watchConfig: false,
    interceptors: [stack.interceptor],
    admit: stack.admit,
    apiContract: { ...policyContract, ...approvalsContract },
    apiHandlers: stack.handlers(),
  });
  ref.daemon = daemon;
  const info = await daemon.start();
  running = { dir, daemon, stack, clients: [], token, port: info.httpPort, apiToken: info.apiToken, userRules };
  return running;
}

async function httpClient(r: Running, serverId: string): Promise<Client> {
  const client = new Client({ name: 'daemon-policy-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${r.port}/mcp/${serverId}`), { requestInit: { headers: { authorization: `Bearer ${r.token}` } } }));
  r.clients.push(client);
  return client;
}

const text = (result: unknown) => ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('\n');

describe('policy in the daemon', () => {
  it('denied tools are hidden and refused; an ask is answered over /api and the call completes', async () => {
    const r = await start({ tools: [
      { match: 'memory/delete_*', action: 'deny' },
      { id: 'ask-create', match: 'memory/create_*', action: 'ask' },
    ] });
    const client = await httpClient(r, 'memory');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('delete_entities');
    const refused = await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('managed: deny memory/delete_*');

    const api = createApiClient({ ...approvalsContract, ...policyContract }, httpCallTransport({ httpPort: r.port, apiToken: r.apiToken }));
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'ada', entityType: 'person', observations: [] }] } });
    let pending = (await api['approvals.list']({})).pending;
    for (let i = 0; i < 100 && pending.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 20));
      pending = (await api['approvals.list']({})).pending;
    }
    expect(pending[0]).toMatchObject({ serverId: 'memory', tool: 'create_entities', rule: 'managed: ask-create', clientLabel: 'test-client' });
    await api['approvals.answer']({ id: pending[0]!.id, answer: 'allow-once' });
    expect((await call).isError).toBeFalsy();
    expect((await api['approvals.history']({})).history[0]).toMatchObject({ answer: 'allow-once', by: 'http' });

    const check = await api['policy.check']({ serverId: 'memory', tool: 'delete_entities' });
    expect(check.decision.label).toBe('managed: deny memory/delete_*');
    expect((await api['policy.effective']({})).sources[0]).toMatchObject({ source: 'managed', state: 'active' });
  });

  it('a server outside the allowlist cannot be reached; one on it can', async () => {
    const r = await start({ servers: { allow: [{ id: 'only-memory', server: 'memory' }] } });
    await expect(httpClient(r, 'everything')).rejects.toThrow();
    expect(r.stack.admit(r.daemon.supervisor.config('everything')!)).toMatchObject({ ok: false, reason: expect.stringContaining('not on the managed allowlist') });
    const memory = await httpClient(r, 'memory');
    expect((await memory.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
  });
});
