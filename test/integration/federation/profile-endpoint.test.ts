// A real SDK client on the federated endpoint of a profile of server-everything, server-memory and
// server-filesystem, through `switchboard serve`: on /mcp (the token's profile) and through
// `switchboard bridge --profile`. Namespaced tools within the cap, deferred tools found, loaded
// and called, progress and cancellation on the wire, an excluded tool refused and audited, the audit naming
// the profile and the real server and tool; tokens on the wrong profile refused.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { auditContract } from '../../../shared/api/audit.ts';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { prepareProfileDataDir, profileBridgeClient, profileHttpClient, type ProfileTokens } from '../../support/profile-fixture.ts';
import { until } from '../../support/until.ts';

const CAP = 5;
const WORK = {
  name: 'work',
  servers: ['everything', 'memory', 'filesystem', 'ghost'],
  exclude: ['everything/get-env'],
  // Listed tools come first under the cap; the rest of the visible ones by name.
  tools: { 'everything/echo': {}, 'memory/read_graph': {}, 'filesystem/list_allowed_directories': {} },
  maxVisible: CAP,
};
const HOME = { name: 'home', servers: ['memory'] };

let data: ProfileTokens;
let daemon: TestDaemon;

beforeAll(async () => {
  data = prepareProfileDataDir([WORK, HOME], { 'work-client': { profile: 'work' }, 'home-client': { profile: 'home' }, 'scoped-client': { servers: ['memory'] } });
  daemon = await startTestDaemon({ data });
});

afterAll(async () => {
  await daemon?.stop();
  if (data) rmSync(data.dataDir, { recursive: true, force: true });
});

function textOf(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((part) => part.text ?? '').join('\n');
}

function recordWire(client: Client): { received: JSONRPCMessage[]; sent: JSONRPCMessage[]; stop: () => void } {
  const transport = client.transport!;
  const onmessage = transport.onmessage!;
  const send = transport.send.bind(transport);
  const wire = { received: [] as JSONRPCMessage[], sent: [] as JSONRPCMessage[] };
  transport.onmessage = (message, extra) => {
    wire.received.push(message);
    onmessage(message, extra);
  };
  transport.send = (message, options) => {
    wire.sent.push(message);
    return send(message, options);
  };
  return { ...wire, stop: () => { transport.onmessage = onmessage; transport.send = send; } };
}

const META = ['find_tools', 'load_tools', 'call_tool'];

async function exercise(client: Client, label: string): Promise<void> {
  const audit = daemon.apiFor(auditContract);
  let listChanged = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    listChanged++;
  });

  // Namespaced tools of all three servers, at most the cap visible, the meta-tools with them.
  const listed = await client.listTools();
  const names = listed.tools.map((tool) => tool.name);
  const own = names.filter((name) => !META.includes(name));
  expect(own.length).toBeLessThanOrEqual(CAP);
  expect(own).toEqual(expect.arrayContaining(['everything__echo', 'memory__read_graph', 'filesystem__list_allowed_directories']));
  for (const name of own) expect(name).toMatch(/^(everything|memory|filesystem)__[A-Za-z0-9_.-]+$/);
  expect(names).toEqual(expect.arrayContaining(META));
  expect(names).not.toContain('everything__get-sum');
  // The missing server is named, and the rest works.
  expect(JSON.stringify(listed._meta)).toContain('ghost');

  // Every server answers through the one session.
  expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: `hi ${label}` } }))).toBe(`Echo: hi ${label}`);
  expect(textOf(await client.callTool({ name: 'filesystem__list_allowed_directories', arguments: {} }))).toContain('files');
  expect((await client.callTool({ name: 'memory__read_graph', arguments: {} })).isError).toBeFalsy();

  // A deferred tool is found by a partial word.
  const found = await client.callTool({ name: 'find_tools', arguments: { query: 'sum' } });
  const hits = (found.structuredContent as { tools: Array<{ name: string; loaded: boolean }> }).tools;
  expect(hits.find((hit) => hit.name === 'everything__get-sum')).toMatchObject({ loaded: false });

  // Loaded: the list changes (notified), and the tool works.
  const before = listChanged;
  await client.callTool({ name: 'load_tools', arguments: { names: ['everything__get-sum'] } });
  await until(() => listChanged > before, { timeoutMs: 10_000 });
  expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('everything__get-sum');
  expect(textOf(await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 40 } }))).toContain('42');

  // Progress through call_tool, on the wire, in order, before the answer.
  const wire = recordWire(client);
  const done = await client.callTool({ name: 'call_tool', arguments: { name: 'everything__trigger-long-running-operation', arguments: { duration: 0.4, steps: 4 } } }, undefined, { onprogress: () => undefined });
  expect(textOf(done)).toContain('Long running operation completed');
  const progress = wire.received.filter((m) => 'method' in m && m.method === 'notifications/progress').map((m) => (m as { params?: { progress?: number } }).params?.progress);
  expect(progress).toEqual([1, 2, 3, 4]);

  // Cancellation: the client's notifications/cancelled reaches the server's session with the
  // call's id: the audit records that call as cancelled by the client.
  const controller = new AbortController();
  let started = false;
  const cancelled = client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 30, steps: 60 } }, undefined, {
    signal: controller.signal,
    onprogress: () => {
      started = true;
    },
  });
  await until(() => started, { timeoutMs: 10_000 });
  controller.abort('test cancels');
  await expect(cancelled).rejects.toThrow();
  const cancel = wire.sent.find((m) => 'method' in m && m.method === 'notifications/cancelled') as { params: { requestId: string | number } } | undefined;
  expect(cancel).toBeDefined();
  await until(async () => (await audit['audit.query']({ tool: 'trigger-long-running-operation', outcome: 'cancelled', limit: 50 })).records.some((r) => r.requestId === String(cancel!.params.requestId) && r.clientLabel === label), { timeoutMs: 15_000 });
  wire.stop();

  // An excluded tool is absent and refused, naming the profile.
  expect(names).not.toContain('everything__get-env');
  const refused = await client.callTool({ name: 'everything__get-env', arguments: {} });
  expect(refused.isError).toBe(true);
  expect(textOf(refused)).toContain("excluded by profile 'work'");

  // The audit names the profile and the real server and tool.
  await until(async () => (await audit['audit.query']({ tool: 'get-sum', limit: 50 })).records.some((r) => r.clientLabel === label), { timeoutMs: 15_000 });
  const record = (await audit['audit.query']({ tool: 'get-sum', limit: 50 })).records.find((r) => r.clientLabel === label)!;
  expect(record).toMatchObject({ profile: 'work', serverId: 'everything', target: 'get-sum', outcome: 'ok' });
  // The refused call to the excluded tool is recorded too, as the profile's denial.
  const denial = await until(async () => (await audit['audit.query']({ tool: 'get-env', limit: 50 })).records.find((r) => r.clientLabel === label), { what: 'the audit row of the refused get-env call' });
  expect(denial).toMatchObject({ profile: 'work', serverId: 'everything', target: 'get-env', outcome: 'denied', decision: 'deny', rule: 'profile work', source: 'profile' });
}

describe('the federated endpoint of a profile', () => {
  it('serves the token\'s profile on /mcp', async () => {
    const client = await profileHttpClient(daemon.baseUrl, '/mcp', data.tokens['work-client']!);
    try {
      await exercise(client, 'work-client');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('serves the same through `switchboard bridge --profile`', async () => {
    const client = await profileBridgeClient(daemon.dataDir, 'work');
    try {
      await exercise(client, 'profile-bridge');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('records a call cancelled before its server was open (bridge: the cancel is right behind it on the wire) as cancelled', async () => {
    const client = await profileBridgeClient(daemon.dataDir, 'work');
    const audit = daemon.apiFor(auditContract);
    const cancelledSums = async () => (await audit['audit.query']({ tool: 'get-sum', outcome: 'cancelled', limit: 50 })).records.length;
    try {
      const before = await cancelledSums();
      // The session's first call, and its cancel right behind it on the same stream: the
      // profile's servers are still opening when the cancel arrives.
      const wire = client.transport!;
      await wire.send({ jsonrpc: '2.0', id: 'early-1', method: 'tools/call', params: { name: 'everything__get-sum', arguments: { a: 20, b: 22 } } });
      await wire.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'early-1', reason: 'cancelled at once' } });
      await until(cancelledSums, { done: (count) => count === before + 1, what: 'the early-cancelled get-sum call in the audit as cancelled' });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses a token on a profile it was not issued for, and a profile token on a server endpoint', async () => {
    const post = (path: string, token: string) => fetch(`${daemon.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    const wrongProfile = await post('/profiles/work/mcp', data.tokens['home-client']!);
    expect(wrongProfile.status).toBe(403);
    expect(await wrongProfile.text()).toContain("issued for profile 'home', not 'work'");
    const noSuchProfile = await post('/profiles/nope/mcp', data.tokens['home-client']!);
    expect(noSuchProfile.status).toBe(403);
    expect(await noSuchProfile.text()).toContain("there is no profile 'nope'");
    expect((await post('/mcp/everything', data.tokens['work-client']!)).status).toBe(403);
    expect((await post('/mcp', data.tokens['scoped-client']!)).status).toBe(403);
    // The home token opens its own profile: memory's tools only, under their own names (one server).
    const home = await profileHttpClient(daemon.baseUrl, '/profiles/home/mcp', data.tokens['home-client']!);
    try {
      const names = (await home.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('read_graph');
      expect(names).not.toContain('echo');
      expect(names.some((name) => name.includes('__'))).toBe(false);
    } finally {
      await home.close();
    }
  }, 60_000);

  it('keeps /mcp/<id> and serves /servers/<id>/mcp for one server', async () => {
    for (const path of ['/mcp/memory', '/servers/memory/mcp']) {
      const client = await profileHttpClient(daemon.baseUrl, path, data.clientToken);
      try {
        expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('read_graph');
      } finally {
        await client.close();
      }
    }
  }, 60_000);
});
