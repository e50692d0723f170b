// The policy Done-when items through the product daemon (Switchboard.start, as `switchboard
// serve` and the app run it): real MCP servers from npm (server-memory, server-everything), the
// real SDK client over /mcp/<id> and over `switchboard bridge`, the managed policy file, a real
// signed org policy server, user rules in config.json settings.userPolicy, and the /api the UI
// and CLI use for policy and approvals.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startRemoteEverything } from '../../support/daemon.ts';
import { generateOrgKey, OrgServer } from '../../support/org-server.ts';
import { resultText as text, startPolicyDaemon, type PolicyDaemon, type PolicyDaemonOptions } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';
import { CHANGED_DESCRIPTION, ORIGINAL_DESCRIPTION } from '../../support/changing-tool-server.ts';

let daemon: PolicyDaemon | undefined;
let org: OrgServer | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await org?.stop();
  org = undefined;
});

async function start(options: PolicyDaemonOptions): Promise<PolicyDaemon> {
  daemon = await startPolicyDaemon(options);
  return daemon;
}

const serverState = (d: PolicyDaemon, id: string) => d.api['servers.get']({ id }).then((entry) => entry.status);
const settled = (status: { state: string }) => status.state === 'ready' || status.state === 'failed';

async function pendingApprovals(d: PolicyDaemon, count = 1) {
  return (await until(() => d.api['approvals.list']({}), { done: (r) => r.pending.length >= count, what: `${count} pending approval(s)` })).pending;
}

describe('managed deny vs user allow', () => {
  it('a user allow in settings.userPolicy cannot lift a managed deny: hidden from tools/list, refused naming rule and source', async () => {
    const d = await start({
      autoStart: false,
      managed: { tools: [{ match: 'memory/delete_*', action: 'deny' }] },
      userPolicy: { tools: [
        { id: 'user-allows-deleting', match: 'memory/delete_entities', action: 'allow' },
        { id: 'user-no-open-nodes', match: 'memory/open_nodes', action: 'deny' },
        { match: 'memory/*', action: 'allow' },
      ] },
    });
    const effective = await d.api['policy.effective']({});
    expect(effective.tools.map((t) => `${t.source}: ${t.name}`)).toEqual(['managed: deny memory/delete_*', 'user: user-allows-deleting', 'user: user-no-open-nodes', 'user: allow memory/*']);
    expect(effective.sources.find((s) => s.source === 'user')).toMatchObject({ state: 'active', location: 'settings.userPolicy' });

    const client = await d.httpClient('memory');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('create_entities');
    expect(names.filter((n) => n.startsWith('delete_'))).toEqual([]);

    const refused = await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('Refused by MCP Switchboard policy (managed: deny memory/delete_*)');
    // the user's own allow still works where nothing stricter applies
    expect((await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'ada', entityType: 'person', observations: [] }] } })).isError).toBeFalsy();
    expect((await d.api['policy.check']({ serverId: 'memory', tool: 'delete_entities' })).decision).toMatchObject({ action: 'deny', source: 'managed', label: 'managed: deny memory/delete_*' });
    // the user's rules from config.json apply from the first call (no config change needed)
    expect(names).not.toContain('open_nodes');
    expect(text(await client.callTool({ name: 'open_nodes', arguments: { names: ['ada'] } }))).toBe('Refused by MCP Switchboard policy (user: user-no-open-nodes)');
  });
});

describe('org policy', () => {
  it('a badly signed org document is rejected and the last good one stays in force; a good one replaces it', async () => {
    const key = generateOrgKey();
    org = new OrgServer(key, { version: 1, serial: 1, tools: [{ id: 'org-no-delete', match: 'memory/delete_*', action: 'deny' }] });
    await org.start();
    const d = await start({ autoStart: false, managed: { org: { url: org.url, publicKeys: [{ id: key.keyId, key: key.publicKeyPem }] } } });
    const client = await d.httpClient('memory');
    const deleting = () => client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } });
    expect(text(await deleting())).toContain('(org: org-no-delete)');

    org.mode = 'bad-signature';
    org.publish({ version: 1, serial: 2, tools: [] });
    const afterBad = await d.api['policy.reload']({});
    expect(org.requests.at(-1)).toMatchObject({ status: 200 });
    expect(afterBad.sources.find((s) => s.source === 'org')).toMatchObject({ state: 'stale', serial: 1, location: org.url, message: expect.stringContaining('bad signature') });
    expect(afterBad.failClosed).toBeNull();
    expect(text(await deleting())).toContain('(org: org-no-delete)');
    const cached = JSON.parse(await readFile(path.join(d.dir, 'org-policy.json'), 'utf8')) as { policy?: { serial?: number } };
    expect(JSON.stringify(cached)).toContain('"serial":1');

    // an unsigned document is no better
    org.mode = 'unsigned';
    expect((await d.api['policy.reload']({})).sources.find((s) => s.source === 'org')).toMatchObject({ state: 'stale', serial: 1 });
    expect(text(await deleting())).toContain('(org: org-no-delete)');

    org.mode = 'signed';
    org.publish({ version: 1, serial: 3, tools: [] });
    const afterGood = await d.api['policy.reload']({});
    expect(afterGood.sources.find((s) => s.source === 'org')).toMatchObject({ state: 'active', serial: 3 });
    const now = await deleting();
    expect(now.isError).toBeFalsy();
  });

  it('the last good org policy survives a daemon restart while the org server is down', async () => {
    const key = generateOrgKey();
    org = new OrgServer(key, { version: 1, serial: 7, tools: [{ id: 'org-no-delete', match: 'memory/delete_*', action: 'deny' }] });
    await org.start();
    const d = await start({ autoStart: false, managed: { org: { url: org.url, publicKeys: [{ id: key.keyId, key: key.publicKeyRaw }] } } });
    expect((await d.api['policy.effective']({})).sources.find((s) => s.source === 'org')).toMatchObject({ state: 'active', serial: 7 });

    org.mode = 'down';
    await d.restart();
    // with a good cached copy the daemon starts at once and fetches in the background
    const effective = await until(() => d.api['policy.effective']({}), { done: (e) => e.sources.some((s) => s.source === 'org' && s.message?.includes('503')), what: 'the failed fetch to be reported' });
    expect(org.requests.at(-1)).toMatchObject({ status: 503 });
    expect(effective.failClosed).toBeNull();
    expect(effective.sources.find((s) => s.source === 'org')).toMatchObject({ state: 'stale', serial: 7, message: expect.stringContaining('503') });
    const client = await d.httpClient('memory');
    expect(text(await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['x'] } }))).toContain('(org: org-no-delete)');
  });
});

describe('server admission', () => {
  it('a server outside the managed allowlist cannot be started (status names the rule) or connected to (client error names the rule)', async () => {
    const d = await start({ managed: { servers: { allow: [{ id: 'only-memory', server: 'memory' }] } } });
    const refused = await until(() => serverState(d, 'everything'), { done: settled, what: 'everything to settle' });
    expect(refused).toMatchObject({ state: 'failed', reason: 'server \'everything\' may not run: server "everything" is not on the managed allowlist (servers.allow)' });
    expect(refused.pid).toBeUndefined();
    expect(await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' })).toMatchObject({ state: 'ready' });

    // starting it explicitly is refused the same way
    expect(await d.api['servers.start']({ id: 'everything' })).toMatchObject({ state: 'failed', reason: expect.stringContaining('managed allowlist (servers.allow)') });
    // a client cannot open a session: over HTTP (403 with the reason) and through the bridge
    await expect(d.httpClient('everything')).rejects.toThrow(/not on the managed allowlist \(servers\.allow\)/);
    await expect(d.bridgeClient('everything')).rejects.toThrow(/not on the managed allowlist \(servers\.allow\)/);
    expect((await d.api['policy.check']({ serverId: 'everything', tool: 'echo' })).decision).toMatchObject({ action: 'deny', label: 'managed: servers.allow' });

    const memory = await d.httpClient('memory');
    expect((await memory.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
  });

  it('an allowlist by command and arguments and by remote URL pattern admits exactly what it names', async () => {
    const remote = await startRemoteEverything();
    try {
      const d = await start({ managed: { servers: { allow: [
        { id: 'node-memory', command: process.execPath, args: ['**/server-memory/dist/index.js'] },
        { id: 'loopback-everything', url: remote.url.replace(/\/mcp$/, '/**') },
      ] } } });
      await d.api['servers.add']({ server: { id: 'remote', transport: 'streamable-http', url: remote.url } });
      await d.api['servers.add']({ server: { id: 'remote-by-name', transport: 'streamable-http', url: remote.url.replace('127.0.0.1', 'localhost') } });
      const states = await until(() => d.api['servers.list']({}), { done: (r) => r.servers.every((s) => settled(s.status)), what: 'every server to settle' });
      const byId = Object.fromEntries(states.servers.map((s) => [s.config.id, s.status]));
      expect(byId.memory).toMatchObject({ state: 'ready' });
      expect(byId.remote).toMatchObject({ state: 'ready' });
      for (const id of ['everything', 'changing', 'remote-by-name']) {
        expect(byId[id]).toMatchObject({ state: 'failed', reason: `server '${id}' may not run: server "${id}" is not on the managed allowlist (servers.allow)` });
      }
      const client = await d.httpClient('remote');
      expect(text(await client.callTool({ name: 'echo', arguments: { message: 'via the allowlisted URL' } }))).toContain('via the allowlisted URL');
      await expect(d.httpClient('remote-by-name')).rejects.toThrow(/not on the managed allowlist \(servers\.allow\)/);
    } finally {
      await daemon?.stop();
      daemon = undefined;
      await remote.stop();
    }
  });

  it('a server denied after its session opened cannot be called: the call is refused naming the deny rule', async () => {
    const d = await start({ managed: {} });
    expect(await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' })).toMatchObject({ state: 'ready' });
    const client = await d.bridgeClient('memory');
    expect((await client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();

    await d.writeManaged({ servers: { deny: [{ id: 'memory-withdrawn', server: 'memory' }] } });
    await d.api['policy.reload']({});
    const refused = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('(managed: memory-withdrawn)');
    expect(text(refused)).toContain('server "memory" is refused by managed policy: deny memory-withdrawn');
    await expect(client.listTools()).rejects.toThrow(/managed: memory-withdrawn/);
    // Methods no interceptor sees are refused too, and the session's server process has ended.
    await expect(client.ping()).rejects.toThrow(/deny memory-withdrawn/);
    const sessions = d.switchboard.hub.sessions('memory').filter((relay) => relay.session.transport === 'socket');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.upstreamPid).toBeUndefined();
    // and no new session can be opened
    await expect(d.httpClient('memory')).rejects.toThrow(/deny memory-withdrawn/);
    await expect(d.bridgeClient('memory')).rejects.toThrow(/deny memory-withdrawn/);

    // Admitted again: the open session resumes with a new server process.
    await d.writeManaged({});
    await d.api['policy.reload']({});
    await until(() => sessions[0]!.upstreamPid, { done: (pid) => pid !== undefined, what: 'the session to reconnect its server' });
    expect((await client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
    await client.ping();
  });
});

describe('tool rules (server-everything through the bridge)', () => {
  it('a denied tool is absent from tools/list and its call is refused with the rule name and source; audit records the decision', async () => {
    const d = await start({ autoStart: false, managed: { tools: [{ id: 'no-echo', match: 'everything/echo', action: 'deny' }] } });
    const client = await d.bridgeClient('everything');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('echo');
    expect(names).toContain('get-sum');
    const refused = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe('Refused by MCP Switchboard policy (managed: no-echo)');
    expect((await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).isError).toBeFalsy();

    const denied = await until(() => d.switchboard.audit.queries.list({ serverId: 'everything', tool: 'echo' }).records, { done: (r) => r.length > 0, what: 'the audit record of the refused call' });
    expect(denied[0]).toMatchObject({ decision: 'deny', rule: 'no-echo', source: 'managed', clientLabel: 'bridge', outcome: 'denied' });
  });
});

describe('approvals', () => {
  it('an ask call waits, is approved through the API and completes; other sessions are not blocked meanwhile', async () => {
    const d = await start({ autoStart: false, managed: { tools: [{ id: 'ask-before-writing', match: 'memory/create_*', action: 'ask' }], approvals: { timeoutSeconds: 30 } } });
    const client = await d.httpClient('memory', 'writer');
    const other = await d.bridgeClient('memory', 'reader');
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'alice', entityType: 'person', observations: [] }] } });
    const [pending] = await pendingApprovals(d);
    expect(pending).toMatchObject({ kind: 'policy', serverId: 'memory', tool: 'create_entities', rule: 'managed: ask-before-writing', source: 'managed', client: { name: 'writer' }, clientLabel: 'test-client', arguments: { entities: [{ name: 'alice' }] } });
    // a managed ask cannot be turned into a user "always allow"
    expect(pending!.choices).toEqual(['deny', 'allow-once', 'allow-session']);

    expect((await other.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
    expect((await d.api['approvals.list']({})).pending).toHaveLength(1);

    await d.api['approvals.answer']({ id: pending!.id, answer: 'allow-once' });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(text(await other.callTool({ name: 'read_graph', arguments: {} }))).toContain('alice');
    expect((await d.api['approvals.history']({})).history[0]).toMatchObject({ id: pending!.id, answer: 'allow-once', by: 'http' });
    const [record] = await until(() => d.switchboard.audit.queries.list({ serverId: 'memory', tool: 'create_entities' }).records, { done: (r) => r.length > 0, what: 'the audit record of the approved call' });
    expect(record).toMatchObject({ decision: 'ask', rule: 'ask-before-writing', source: 'managed', approver: 'user:allow-once', clientName: 'writer' });
  });

  it('identical calls waiting in one session share one prompt, and one answer releases both', async () => {
    const d = await start({ autoStart: false, managed: { tools: [{ id: 'ask-search', match: 'memory/search_nodes', action: 'ask' }] } });
    // The bridge is one ordered stream (HTTP POSTs may overtake each other), and with the tools
    // listed every call takes the same path to the broker: the "bob" prompt appearing means both
    // "ada" calls got there before it.
    const client = await d.bridgeClient('memory');
    await client.listTools();
    const search = () => client.callTool({ name: 'search_nodes', arguments: { query: 'ada' } });
    const calls = [search(), search()];
    const other = client.callTool({ name: 'search_nodes', arguments: { query: 'bob' } });
    const [pending] = await pendingApprovals(d);
    const both = await pendingApprovals(d, 2);
    expect(both.map((p) => (p.arguments as { query: string }).query)).toEqual(['ada', 'bob']);
    await d.api['approvals.answer']({ id: pending!.id, answer: 'allow-once' });
    for (const result of await Promise.all(calls)) expect(result.isError).toBeFalsy();
    await d.api['approvals.answer']({ id: both[1]!.id, answer: 'deny' });
    expect((await other).isError).toBe(true);
    expect((await d.api['approvals.history']({})).history.map((h) => h.answer)).toEqual(['deny', 'allow-once']);
  });

  it('a client that cancels its waiting call withdraws the approval', async () => {
    const d = await start({ autoStart: false, managed: { tools: [{ id: 'ask-create', match: 'memory/create_*', action: 'ask' }] } });
    const client = await d.httpClient('memory');
    const controller = new AbortController();
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'c', entityType: 't', observations: [] }] } }, undefined, { signal: controller.signal });
    await pendingApprovals(d);
    controller.abort();
    await expect(call).rejects.toThrow();
    await until(() => d.api['approvals.list']({}), { done: (r) => r.pending.length === 0, what: 'the approval to be withdrawn' });
    expect((await d.api['approvals.history']({})).history[0]).toMatchObject({ answer: 'withdrawn' });
  });

  it('"always allow" on a user ask writes an allow rule to config.json settings.userPolicy; the next call does not ask', async () => {
    const d = await start({ autoStart: false, managed: {}, userPolicy: { tools: [{ id: 'confirm-writes', match: 'memory/create_*', action: 'ask' }] } });
    const client = await d.httpClient('memory');
    const create = (name: string) => client.callTool({ name: 'create_entities', arguments: { entities: [{ name, entityType: 'person', observations: [] }] } });
    const first = create('carol');
    const [pending] = await pendingApprovals(d);
    expect(pending).toMatchObject({ rule: 'user: confirm-writes', choices: ['deny', 'allow-once', 'allow-session', 'always-allow'] });
    await d.api['approvals.answer']({ id: pending!.id, answer: 'always-allow' });
    expect((await first).isError).toBeFalsy();

    const config = JSON.parse(await readFile(path.join(d.dir, 'config.json'), 'utf8')) as { settings: { userPolicy: { tools: Array<{ match: string; action: string }> } } };
    expect(config.settings.userPolicy.tools[0]).toMatchObject({ match: 'memory/create_entities', action: 'allow' });
    expect((await create('dave')).isError).toBeFalsy();
    expect((await d.api['approvals.history']({})).history).toHaveLength(1);
  });

  it('an ask call left alone is denied at the policy\'s approval timeout', async () => {
    const d = await start({ autoStart: false, managed: { tools: [{ id: 'ask-before-writing', match: 'memory/create_*', action: 'ask' }], approvals: { timeoutSeconds: 1 } } });
    const client = await d.httpClient('memory');
    const call = client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'bob', entityType: 'person', observations: [] }] } });
    const [pending] = await pendingApprovals(d);
    expect(Date.parse(pending!.expiresAt) - Date.parse(pending!.createdAt)).toBe(1000);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Refused by MCP Switchboard policy (managed: ask-before-writing): no answer before the approval timed out');
    expect((await d.api['approvals.list']({})).pending).toEqual([]);
    expect((await d.api['approvals.history']({})).history[0]).toMatchObject({ id: pending!.id, answer: 'timeout' });
    expect(text(await client.callTool({ name: 'read_graph', arguments: {} }))).not.toContain('bob');
  });
});

describe('pinning', () => {
  const seededPins = {
    version: 1,
    servers: { everything: { echo: { hash: 'stale-hash', definition: { name: 'echo', description: 'Echoes back the input (old text)' }, firstSeen: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' } } },
    changes: [],
  };

  it('a tool whose definition differs from its pin asks (old and new text in the approval); always-allow accepts the new pin', async () => {
    const d = await start({ autoStart: false, managed: {}, pins: seededPins });
    const client = await d.httpClient('everything');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    const { changes } = await d.api['policy.pins']({ serverId: 'everything' });
    expect(changes).toMatchObject([{ tool: 'echo', oldHash: 'stale-hash', old: { description: 'Echoes back the input (old text)' }, new: { description: expect.stringMatching(/^Echoes back the input/) } }]);

    const call = client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const [pending] = await pendingApprovals(d);
    expect(pending).toMatchObject({ kind: 'pinning', serverId: 'everything', tool: 'echo', source: 'pinning', rule: 'pinning: tool definition of everything/echo changed', change: { old: { description: 'Echoes back the input (old text)' } } });
    expect(pending!.choices).toContain('always-allow');
    await d.api['approvals.answer']({ id: pending!.id, answer: 'always-allow' });
    expect(text(await call)).toContain('Echo: hi');
    expect((await d.api['policy.pins']({ serverId: 'everything' })).changes).toEqual([]);
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'again' } }))).toContain('Echo: again');
    expect((await d.api['approvals.list']({})).pending).toEqual([]);
  });

  it('a description changed at run time (list_changed) is caught in the live session and asks; denying refuses the call', async () => {
    const d = await start({ autoStart: false, managed: {} });
    const client = await d.httpClient('changing');
    const listed = await client.listTools();
    expect(listed.tools.find((t) => t.name === 'lookup')?.description).toBe(ORIGINAL_DESCRIPTION);
    expect(text(await client.callTool({ name: 'lookup', arguments: { word: 'relay' } }))).toBe('definition of relay');

    const changed = new Promise<void>((resolve) => {
      client.fallbackNotificationHandler = async (n) => { if (n.method === 'notifications/tools/list_changed') resolve(); };
    });
    await client.callTool({ name: 'upgrade', arguments: {} });
    await changed;

    const call = client.callTool({ name: 'lookup', arguments: { word: 'relay' } });
    const [pending] = await pendingApprovals(d);
    expect(pending).toMatchObject({ kind: 'pinning', serverId: 'changing', tool: 'lookup', change: { old: { description: ORIGINAL_DESCRIPTION }, new: { description: CHANGED_DESCRIPTION } } });
    await d.api['approvals.answer']({ id: pending!.id, answer: 'deny' });
    const refused = await call;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe('Refused by MCP Switchboard policy (pinning: tool definition of changing/lookup changed): the user denied it');
  });

  it('with pinning.onChange deny the changed tool disappears from tools/list and its call is refused', async () => {
    const d = await start({ autoStart: false, managed: { pinning: { onChange: 'deny' } } });
    const client = await d.bridgeClient('changing');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['lookup', 'upgrade']);
    await client.callTool({ name: 'upgrade', arguments: {} });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['upgrade']);
    const refused = await client.callTool({ name: 'lookup', arguments: { word: 'x' } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('(pinning: tool definition of changing/lookup changed)');
  });
});

describe('managed policy file: corrupt fails closed, missing governs nothing', () => {
  async function expectFailClosed(d: PolicyDaemon, why: RegExp) {
    // The daemon itself keeps answering: status, servers, approvals.
    const status = await d.api['daemon.status']({});
    expect(status.dataDir).toBe(d.dir);
    const memory = await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' });
    expect(memory.state).toBe('failed');
    expect(memory.reason).toContain(`managed policy file ${d.managedPath} cannot be used`);
    expect(memory.reason).toMatch(why);
    expect((await d.api['daemon.status']({})).servers.every((s) => s.state === 'failed' && s.reason?.includes(d.managedPath))).toBe(true);
    expect((await d.api['approvals.list']({})).pending).toEqual([]);

    const effective = await d.api['policy.effective']({});
    expect(effective.sources[0]).toMatchObject({ source: 'managed', state: 'error', location: d.managedPath, message: expect.stringMatching(why) });
    expect(effective.failClosed).toContain(d.managedPath);
    // a client is told where and why
    await expect(d.httpClient('memory')).rejects.toThrow(new RegExp(`managed policy file ${d.managedPath.replaceAll('/', '\\/')} cannot be used \\(${why.source}`));
  }

  it('invalid JSON: every server is refused naming the file and the parse error; the API keeps answering; fixing the file restores service', async () => {
    const d = await start({ managed: '{ "version": 1, "tools": [ ' });
    await expectFailClosed(d, /invalid JSON/);
    await expect(d.bridgeClient('memory')).rejects.toThrow(/invalid JSON/);

    await d.writeManaged({ tools: [] });
    expect((await d.api['policy.reload']({})).failClosed).toBeNull();
    // The product starts a server again by itself once the policy admits it.
    expect(await until(() => serverState(d, 'memory'), { done: (st) => st.state === 'ready', what: 'memory to be admitted again' })).toMatchObject({ state: 'ready' });
    const client = await d.httpClient('memory');
    expect((await client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
  });

  it('valid JSON that is not a valid policy fails closed naming the field', async () => {
    const d = await start({ managed: { tools: [{ match: 'memory/*', action: 'maybe' }] } });
    await expectFailClosed(d, /invalid policy: tools\.0\.action/);
  });

  it('a file that becomes corrupt while sessions are open refuses their calls naming the file', async () => {
    const d = await start({ autoStart: false, managed: {} });
    const client = await d.httpClient('memory');
    expect((await client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
    await d.writeManaged('not json');
    await d.api['policy.reload']({});
    const refused = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain(`(managed: fail-closed): managed policy file ${d.managedPath} cannot be used (invalid JSON`);
  });

  // A missing file is "this machine is not managed": it governs no server, so nothing is refused
  // (failing closed here would brick every unmanaged install). The managed source is reported as
  // absent with its path, so `policy show` and the UI say where a policy would be read from. Only
  // an administrator can remove the OS-path file, and $SWITCHBOARD_MANAGED_POLICY is ignored
  // while a file exists there (main/policy/managed-source.ts).
  it('a missing file: no managed policy, servers run, the source is reported absent with its path', async () => {
    const d = await start({});
    expect(await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' })).toMatchObject({ state: 'ready' });
    const effective = await d.api['policy.effective']({});
    expect(effective.failClosed).toBeNull();
    expect(effective.sources[0]).toMatchObject({ source: 'managed', state: 'absent', location: d.managedPath });
    const client: Client = await d.httpClient('memory');
    expect((await client.callTool({ name: 'read_graph', arguments: {} })).isError).toBeFalsy();
  });
});

describe('prompts and resources (server-everything)', () => {
  it('prompt and resource rules refuse prompts/get and resources/read naming the rule', async () => {
    const d = await start({ autoStart: false, managed: { tools: [
      { id: 'no-prompts', kind: 'prompt', match: 'everything/*', action: 'deny' },
      { id: 'no-documents', kind: 'resource', match: 'everything/demo://resource/static/**', action: 'deny' },
    ] } });
    const client = await d.httpClient('everything');
    const prompts = (await client.listPrompts()).prompts;
    expect(prompts.length).toBeGreaterThan(0);
    await expect(client.getPrompt({ name: prompts[0]!.name, arguments: {} })).rejects.toThrow(/managed: no-prompts/);
    const document = (await client.listResources()).resources.find((r) => r.uri.startsWith('demo://resource/static/'));
    expect(document).toBeDefined();
    await expect(client.readResource({ uri: document!.uri })).rejects.toThrow(/managed: no-documents/);
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'ok' } }))).toContain('Echo: ok');
  });
});

// Policy changes reach the daemon's own probe sessions and the UI's test calls: the PolicyStack
// helpers shown working by hand, then as the product (main/switchboard.ts) wires them.
describe('policy changes and the daemon\'s own probe of a server', () => {
  const withdrawMemory = async (d: PolicyDaemon) => {
    await d.writeManaged({ servers: { deny: [{ id: 'memory-withdrawn', server: 'memory' }] } });
    await d.api['policy.reload']({});
  };

  it('a running server the policy stops admitting is refused (status names the rule, without matching its text) and started again when admitted', async () => {
    const d = await start({ managed: {} });
    expect(await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' })).toMatchObject({ state: 'ready' });
    await withdrawMemory(d);
    expect(await until(() => serverState(d, 'memory'), { done: (st) => st.state === 'failed', what: 'the probe to be refused' })).toMatchObject({ refused: true, reason: expect.stringContaining('deny memory-withdrawn') });
    expect(await until(() => serverState(d, 'everything'), { done: settled, what: 'everything to settle' })).toMatchObject({ state: 'ready' });
    await d.writeManaged({});
    await d.api['policy.reload']({});
    expect(await until(() => serverState(d, 'memory'), { done: (st) => st.state === 'ready', what: 'the probe to be admitted again' })).toMatchObject({ state: 'ready' });
  });

  it('the product stops the probe of a server the policy stops admitting', async () => {
    const d = await start({ managed: {} });
    await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' });
    await withdrawMemory(d);
    await until(() => serverState(d, 'memory'), { done: (st) => st.state === 'failed', what: 'the probe to be refused', timeoutMs: 3000 });
  });

  it('the test-call API (servers.callTool) passes the chain: a deny refuses, an ask waits for the user, an allowed call runs', async () => {
    const d = await start({ managed: { tools: [{ match: 'memory/delete_*', action: 'deny' }, { id: 'ask-create', match: 'memory/create_*', action: 'ask' }] } });
    const call = (name: string, args: Record<string, unknown>) => d.api['servers.callTool']({ id: 'memory', name, arguments: args });
    await expect(call('delete_entities', { entityNames: ['x'] })).rejects.toThrow('Refused by MCP Switchboard policy (managed: deny memory/delete_*)');
    const asked = call('create_entities', { entities: [] });
    const pending = await until(async () => (await d.api['approvals.list']({})).pending, { done: (list) => list.length === 1, what: 'the approval prompt' });
    expect(pending[0]).toMatchObject({ serverId: 'memory', tool: 'create_entities', client: { name: 'switchboard-ui' } });
    await d.api['approvals.answer']({ id: pending[0]!.id, answer: 'deny' });
    await expect(asked).rejects.toThrow(/ask-create/);
    expect((await call('read_graph', {})).isError).toBeFalsy();
  });

  it('the product refuses a denied tool through servers.callTool', async () => {
    const d = await start({ managed: { tools: [{ match: 'memory/delete_*', action: 'deny' }] } });
    await until(() => serverState(d, 'memory'), { done: settled, what: 'memory to settle' });
    await expect(d.api['servers.callTool']({ id: 'memory', name: 'delete_entities', arguments: { entityNames: ['x'] } })).rejects.toThrow(/managed: deny memory\/delete_\*/);
  });
});
