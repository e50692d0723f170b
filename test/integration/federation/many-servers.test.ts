// A profile of 10 fixture servers with 30 tools each (and a `crash` tool), and an 11th that managed
// policy does not admit: tools/list carries the 300 (plus the crash tools), namespaced and
// distinct, and names the server that is not admitted and why; a server that dies mid-call fails
// that call only, and the other servers of the session keep answering.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { prepareDataDir, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { MANY_TOOLS_SERVER } from '../../support/many-tools-server.ts';
import { addProfiles, profileHttpClient } from '../../support/profile-fixture.ts';

const SERVERS = Array.from({ length: 10 }, (_, i) => `many-${i + 1}`);

let daemon: TestDaemon;
let token: string;
let dataDir: string;

beforeAll(async () => {
  const data = prepareDataDir({
    prefix: 'switchboard-many-',
    servers: [...SERVERS, 'denied'].map((id) => ({ id, transport: 'stdio', command: process.execPath, args: [MANY_TOOLS_SERVER, id.replace('-', ''), '30'] })),
  });
  dataDir = data.dataDir;
  token = addProfiles(dataDir, [{ name: 'wide', servers: [...SERVERS, 'denied'] }], { wide: { profile: 'wide' } }).wide!;
  const managed = join(dataDir, 'managed-policy.json');
  writeFileSync(managed, JSON.stringify({ version: 1, servers: { deny: [{ id: 'no-denied', server: 'denied' }] } }));
  daemon = await startTestDaemon({ data, startTimeoutMs: 60_000, env: { SWITCHBOARD_MANAGED_POLICY: managed } });
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a profile of 10 servers with 300 tools', () => {
  let client: Client;

  it('lists every tool, namespaced', async () => {
    client = await profileHttpClient(daemon.baseUrl, '/mcp', token);
    const listed = await client.listTools();
    const names = listed.tools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    const unavailable = (listed._meta?.['switchboard.mcp/profile'] as { unavailable?: Array<{ server: string; why: string }> }).unavailable ?? [];
    expect(unavailable).toEqual([{ server: 'denied', why: expect.stringContaining('no-denied') }]);
    expect(names.some((name) => name.startsWith('denied__'))).toBe(false);
    expect(names.filter((name) => !name.endsWith('__crash'))).toHaveLength(300);
    for (const id of SERVERS) expect(names).toContain(`${id}__${id.replace('-', '')}_tool_30`);
  }, 60_000);

  it('keeps serving the other servers when one dies mid-call', async () => {
    const crashed = await client.callTool({ name: 'many-3__crash', arguments: {} }).then((result) => result, (error: Error) => error);
    // The call that was running ends with the reason, as a JSON-RPC error.
    expect(crashed).toBeInstanceOf(Error);
    expect(String((crashed as Error).message)).toContain("server 'many-3'");
    const answer = await client.callTool({ name: 'many-4__many4_tool_7', arguments: { text: 'still here' } });
    expect((answer.content as Array<{ text: string }>)[0]!.text).toBe('many4_tool_7: still here');
    // tools/list still answers, with the other servers' tools at least.
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('many-10__many10_tool_1');
    await client.close();
  }, 60_000);
});
