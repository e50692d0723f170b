// Policy through a relay with real MCP servers from npm driven by the real SDK client.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../shared/config.ts';
import { UserPolicySchema, type PolicyDocumentInput, type UserPolicy, type UserPolicyInput } from '../../../shared/policy.ts';
import { ApprovalBroker, type PendingApproval } from '../../../main/approvals/broker.ts';
import { createApprovalsHandlers } from '../../../main/api/approvals.ts';
import { createPolicyHandlers } from '../../../main/api/policy.ts';
import { PolicyInterceptor } from '../../../main/policy/interceptor.ts';
import { PinStore } from '../../../main/policy/pin-store.ts';
import { PolicyService } from '../../../main/policy/policy-service.ts';
import { serverEntry, startPolicyHarness, type PolicyHarness } from '../../support/policy-harness.ts';
import { generateOrgKey, OrgServer } from '../../support/org-server.ts';

const memoryServer = (): ServerConfig => ({
  id: 'memory', enabled: true, transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: {},
}) as ServerConfig;
const everythingServer = (): ServerConfig => ({
  id: 'everything', enabled: true, transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], env: {},
}) as ServerConfig;

interface World {
  dir: string;
  managedPath: string;
  policy: PolicyService;
  broker: ApprovalBroker;
  pins: PinStore;
  interceptor: PolicyInterceptor;
  userPolicy: UserPolicy | undefined;
  servers: Map<string, ServerConfig>;
  harnesses: PolicyHarness[];
}

let world: World;

async function writeManaged(doc: Omit<PolicyDocumentInput, 'version'> | string): Promise<void> {
  await writeFile(world.managedPath, typeof doc === 'string' ? doc : JSON.stringify({ version: 1, ...doc }));
}

async function setup(options: { managed?: Omit<PolicyDocumentInput, 'version'> | string; user?: UserPolicyInput; pins?: unknown } = {}): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'policy-int-'));
  world = { dir, managedPath: path.join(dir, 'managed-policy.json'), userPolicy: options.user ? UserPolicySchema.parse(options.user) : undefined, servers: new Map([['memory', memoryServer()], ['everything', everythingServer()]]), harnesses: [] } as unknown as World;
  if (options.managed !== undefined) await writeManaged(options.managed);
  if (options.pins) await writeFile(path.join(dir, 'tool-pins.json'), JSON.stringify(options.pins));
  world.policy = new PolicyService({ managedPath: world.managedPath, dataDir: dir, userPolicy: () => world.userPolicy, managedPollMs: 0 });
  await world.policy.start();
  world.pins = new PinStore({ file: path.join(dir, 'tool-pins.json') });
  world.broker = new ApprovalBroker({
    timeoutMs: () => world.policy.engine().approvalTimeoutMs(),
    onAlwaysAllow: (approval: PendingApproval) => {
      if (approval.kind === 'pinning') world.pins.accept(approval.serverId, approval.tool);
      else {
        const current = world.userPolicy ?? UserPolicySchema.parse({});
        world.userPolicy = UserPolicySchema.parse({ ...current, tools: [{ match: `${approval.serverId}/${approval.tool}`, action: 'allow' }, ...(current.tools ?? [])] });
        world.policy.userPolicyChanged();
      }
    },
  });
  world.interceptor = new PolicyInterceptor({ engine: () => world.policy.engine(), broker: world.broker, pins: world.pins, serverConfig: (id) => world.servers.get(id) });
}

async function connect(serverId: 'memory' | 'everything'): Promise<PolicyHarness> {
  const harness = await startPolicyHarness({
    serverId,
    command: process.execPath,
    args: serverId === 'memory' ? [serverEntry('@modelcontextprotocol/server-memory')] : [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'],
    env: serverId === 'memory' ? { MEMORY_FILE_PATH: path.join(world.dir, 'memory.jsonl') } : {},
    interceptors: [world.interceptor],
  });
  world.harnesses.push(harness);
  return harness;
}

function text(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('\n');
}

async function waitForPending(count = 1): Promise<PendingApproval[]> {
  for (let i = 0; i < 200; i++) {
    const pending = world.broker.list();
    if (pending.length >= count) return pending;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no pending approval appeared');
}

afterEach(async () => {
  for (const h of world.harnesses) await h.close();
  world.broker.dispose();
  world.policy.stop();
  await rm(world.dir, { recursive: true, force: true });
});

describe('tool rules through the proxy (server-memory)', () => {
  beforeEach(async () => {
    await setup({
      managed: { tools: [{ match: 'memory/delete_*', action: 'deny' }] },
      user: { tools: [{ match: 'memory/*', action: 'allow' }] },
    });
  });

  it('a managed deny cannot be overridden by a user allow: the tool is absent from tools/list and its call is refused naming the rule', async () => {
    const { client, contexts } = await connect('memory');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('create_entities');
    expect(names.filter((n) => n.startsWith('delete_'))).toEqual([]);

    const result = await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('managed: deny memory/delete_*');
    expect(contexts.at(-1)!.decision).toMatchObject({ action: 'deny', source: 'managed', rule: 'deny memory/delete_*' });

    const allowed = await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'a', entityType: 't', observations: [] }] } });
    expect(allowed.isError).toBeFalsy();
    expect(contexts.at(-1)!.decision).toMatchObject({ action: 'allow', source: 'user' });
  });
});

describe('approvals through the proxy', () => {
  beforeEach(async () => {
    await setup({ managed: { tools: [{ id: 'ask-before-writing', match: 'memory/create_*', action: 'ask' }], approvals: { timeoutSeconds: 0.5 } } });
  });

  it('an ask call waits, is approved through the API handler and completes', async () => {
    const { client, contexts } = await connect('memory');
    const api = createApprovalsHandlers({ broker: world.broker });
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'alice', entityType: 'person', observations: [] }] } });
    const [pending] = await waitForPending();
    expect(pending).toMatchObject({ serverId: 'memory', tool: 'create_entities', rule: 'managed: ask-before-writing', client: { name: 'policy-test-client' } });
    expect((await api['approvals.list']({}, { kind: 'http' })).pending).toHaveLength(1);
    // a managed ask cannot be turned into "always allow"
    expect(pending!.choices).not.toContain('always-allow');
    await api['approvals.answer']({ id: pending!.id, answer: 'allow-once' }, { kind: 'http' });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(contexts.at(-1)).toMatchObject({ approver: 'user:allow-once', decision: { action: 'ask', source: 'managed' } });
    const graph = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(text(graph)).toContain('alice');
  });

  it('an ask call left alone is denied at the configured timeout', async () => {
    const { client, contexts } = await connect('memory');
    const result = await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'bob', entityType: 'person', observations: [] }] } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/managed: ask-before-writing.*timed out/);
    expect(contexts.at(-1)).toMatchObject({ approver: 'timeout', decision: { action: 'deny', rule: 'ask-before-writing' } });
    expect(world.broker.history()[0]).toMatchObject({ answer: 'timeout' });
  });
});

describe('server admission', () => {
  it('a server outside the allowlist is refused with the rule name, and cannot be listed or called', async () => {
    await setup({ managed: { servers: { allow: [{ id: 'only-everything', package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything' } }] } } });
    expect(world.policy.engine().admitServer(everythingServer())).toEqual({ ok: true });
    const admission = world.policy.engine().admitServer(memoryServer());
    expect(admission).toMatchObject({ ok: false, rule: 'servers.allow', source: 'managed' });

    const { client } = await connect('memory');
    await expect(client.listTools()).rejects.toThrow(/managed: servers\.allow.*not on the managed allowlist/);
    const result = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('not on the managed allowlist');

    const check = await createPolicyHandlers({ engine: () => world.policy.engine(), reload: () => world.policy.reloadManaged(), pins: world.pins, serverConfig: (id) => world.servers.get(id) })['policy.check']({ serverId: 'memory', tool: 'read_graph', kind: 'tool' }, { kind: 'http' });
    expect(check.decision).toMatchObject({ action: 'deny', label: 'managed: servers.allow' });
  });
});

describe('fail closed', () => {
  it('a corrupt managed policy refuses every call naming the file and the parse error; fixing it restores service', async () => {
    await setup({ managed: '{ "version": 1, "tools": [ ' });
    const admission = world.policy.engine().admitServer(memoryServer());
    expect(admission.ok).toBe(false);
    if (!admission.ok) expect(admission.reason).toContain(world.managedPath);
    const { client } = await connect('memory');
    const result = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(world.managedPath);
    expect(text(result)).toMatch(/invalid JSON/);

    await writeManaged({ tools: [] });
    await world.policy.reloadManaged();
    expect((await client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
  });

  it('a managed file that is valid JSON but not a valid policy fails closed with the field path', async () => {
    await setup({ managed: { tools: [{ match: 'x/*', action: 'maybe' }] } as never });
    const admission = world.policy.engine().admitServer(memoryServer());
    expect(admission.ok).toBe(false);
    if (!admission.ok) expect(admission.reason).toMatch(/tools\.0\.action/);
  });

  it('a missing managed file is "no managed policy"', async () => {
    await setup();
    expect(world.policy.engine().admitServer(memoryServer())).toEqual({ ok: true });
    expect(world.policy.engine().effective().sources[0]).toMatchObject({ source: 'managed', state: 'absent' });
  });
});

describe('pinning (server-everything)', () => {
  const seededPins = (description: string) => ({
    version: 1,
    servers: { everything: { echo: { hash: 'stale-hash', definition: { name: 'echo', description }, firstSeen: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' } } },
    changes: [],
  });

  it('a changed tool description asks again with old and new definitions; always-allow accepts the new pin', async () => {
    await setup({ managed: {}, pins: seededPins('Echoes back the input (old text)') });
    const { client, contexts } = await connect('everything');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    expect(world.pins.changes('everything')).toMatchObject([{ tool: 'echo', old: { description: 'Echoes back the input (old text)' }, new: { description: 'Echoes back the input string' } }]);

    const call = client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const [pending] = await waitForPending();
    expect(pending).toMatchObject({ kind: 'pinning', tool: 'echo', source: 'pinning', change: { old: { description: 'Echoes back the input (old text)' } } });
    await world.broker.answer(pending!.id, 'always-allow', 'ui');
    expect(text(await call)).toContain('Echo: hi');
    expect(contexts.at(-1)!.approver).toBe('user:always');
    expect(world.pins.changes()).toHaveLength(0);
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'again' } }))).toContain('Echo: again');
  });

  it('with pinning.onChange deny the changed tool is hidden and its call refused', async () => {
    await setup({ managed: { pinning: { onChange: 'deny' } }, pins: seededPins('old') });
    const { client } = await connect('everything');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('echo');
    expect(names).toContain('get-sum');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('pinning: tool definition of everything/echo changed');
  });
});

describe('org policy through the proxy', () => {
  let org: OrgServer | undefined;
  afterEach(async () => { await org?.stop(); org = undefined; });

  it('an org policy with a bad signature is rejected and the last good one stays in force', async () => {
    const key = generateOrgKey();
    org = new OrgServer(key, { version: 1, serial: 1, tools: [{ id: 'org-no-delete', match: 'memory/delete_*', action: 'deny' }] });
    await org.start();
    await setup({ managed: { org: { url: org.url, publicKeys: [{ id: key.keyId, key: key.publicKeyPem }] } } });
    const { client } = await connect('memory');
    expect(text(await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } }))).toContain('org: org-no-delete');

    org.mode = 'bad-signature';
    org.publish({ version: 1, serial: 2, tools: [] });
    await world.policy.refreshOrg();
    expect(world.policy.engine().effective().sources.find((s) => s.source === 'org')).toMatchObject({ state: 'stale', serial: 1, message: expect.stringContaining('bad signature') });
    expect(text(await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } }))).toContain('org: org-no-delete');
  });
});

describe('waiting does not block, and cancelling withdraws', () => {
  beforeEach(async () => {
    await setup({ managed: { tools: [{ id: 'ask-create', match: 'memory/create_*', action: 'ask' }] } });
  });

  it('while one call waits for approval, other calls in the same and another session complete', async () => {
    const first = await connect('memory');
    const second = await connect('memory');
    const waiting = first.client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'w', entityType: 't', observations: [] }] } });
    await waitForPending();
    expect((await first.client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
    expect((await second.client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
    expect(world.broker.list()).toHaveLength(1);
    await world.broker.answer(world.broker.list()[0]!.id, 'deny', 'ui');
    const denied = await waiting;
    expect(denied.isError).toBe(true);
    expect(text(denied)).toContain('the user denied it');
  });

  it('a client that cancels its call withdraws the approval', async () => {
    const { client } = await connect('memory');
    const controller = new AbortController();
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'c', entityType: 't', observations: [] }] } }, undefined, { signal: controller.signal });
    await waitForPending();
    controller.abort();
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 100 && world.broker.list().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(world.broker.list()).toHaveLength(0);
    expect(world.broker.history()[0]).toMatchObject({ answer: 'withdrawn' });
  });
});

describe('prompts and resources (server-everything)', () => {
  it('prompt and resource rules refuse prompts/get and resources/read naming the rule', async () => {
    await setup({ managed: { tools: [
      { id: 'no-prompts', kind: 'prompt', match: 'everything/*', action: 'deny' },
      { id: 'no-documents', kind: 'resource', match: 'everything/demo://resource/static/**', action: 'deny' },
    ] } });
    const { client } = await connect('everything');
    const prompts = (await client.listPrompts()).prompts;
    expect(prompts.length).toBeGreaterThan(0);
    await expect(client.getPrompt({ name: prompts[0]!.name, arguments: {} })).rejects.toThrow(/managed: no-prompts/);
    const resources = (await client.listResources()).resources;
    const document = resources.find((r) => r.uri.startsWith('demo://resource/static/'));
    expect(document).toBeDefined();
    await expect(client.readResource({ uri: document!.uri })).rejects.toThrow(/managed: no-documents/);
    // tools are unaffected by prompt/resource rules
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'ok' } }))).toContain('Echo: ok');
  });
});
