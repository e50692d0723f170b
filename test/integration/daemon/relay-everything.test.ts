// A real SDK client reaches @modelcontextprotocol/server-everything through the daemon: via
// `switchboard bridge` (spawned like Claude Desktop does) and via /mcp/<id> with a bearer token,
// with the server as a stdio child and as a remote Streamable HTTP server. Deterministic answers
// are compared with a direct connection to the same server, so a dropped or altered message fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
  LoggingMessageNotificationSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { EVERYTHING_SERVER, startRemoteEverything, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { until } from '../../support/until.ts';

const CAPABILITIES = { capabilities: { sampling: {}, elicitation: {} } };

let daemon: TestDaemon;
let remote: Awaited<ReturnType<typeof startRemoteEverything>>;

beforeAll(async () => {
  remote = await startRemoteEverything();
  daemon = await startTestDaemon({
    servers: [
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      { id: 'everything-remote', transport: 'streamable-http', url: remote.url },
    ],
  });
});

afterAll(async () => {
  await daemon?.stop();
  await remote?.stop();
});

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((part) => part.text ?? '').join('\n');
}

async function directClient(serverId: string): Promise<Client> {
  const client = new Client({ name: 'direct', version: '1.0.0' }, CAPABILITIES);
  if (serverId === 'everything') {
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], stderr: 'pipe' }));
  } else {
    await client.connect(new StreamableHTTPClientTransport(new URL(remote.url)));
  }
  return client;
}

function installHandlers(client: Client): { updates: string[]; logs: unknown[] } {
  const seen = { updates: [] as string[], logs: [] as unknown[] };
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    model: 'relay-test-model',
    role: 'assistant',
    content: { type: 'text', text: `sampled: ${JSON.stringify(request.params.messages[0]?.content)}` },
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada Lovelace', check: true } }));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    seen.updates.push(notification.params.uri);
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    seen.logs.push(notification.params);
  });
  return seen;
}

/** Records every message the client's transport delivers, before the SDK handles it. */
function recordWire(client: Client): { messages: JSONRPCMessage[]; stop: () => void } {
  const transport = client.transport!;
  const original = transport.onmessage!;
  const messages: JSONRPCMessage[] = [];
  transport.onmessage = (message, extra) => {
    messages.push(message);
    original(message, extra);
  };
  return { messages, stop: () => { transport.onmessage = original; } };
}

const paths = [
  { path: 'bridge', serverId: 'everything' },
  { path: 'http', serverId: 'everything' },
  { path: 'bridge', serverId: 'everything-remote' },
  { path: 'http', serverId: 'everything-remote' },
] as const;

describe.each(paths)('through $path to $serverId', ({ path, serverId }) => {
  it('relays every protocol feature unchanged', async () => {
    const direct = await directClient(serverId);
    const client = path === 'bridge' ? await daemon.bridgeClient(serverId, CAPABILITIES) : await daemon.httpClient(serverId, CAPABILITIES);
    const seen = installHandlers(client);
    try {
      // Handshake: the server's answer reaches the client intact.
      expect(client.getServerVersion()).toEqual(direct.getServerVersion());
      expect(client.getServerCapabilities()).toEqual(direct.getServerCapabilities());

      // Lists and reads are identical to a direct connection.
      const tools = await client.listTools();
      expect(tools).toEqual(await direct.listTools());
      expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'trigger-sampling-request', 'trigger-elicitation-request', 'trigger-long-running-operation']));
      const resources = await client.listResources();
      expect(resources).toEqual(await direct.listResources());
      const uri = resources.resources[0]!.uri;
      expect(await client.readResource({ uri })).toEqual(await direct.readResource({ uri }));
      expect(await client.listResourceTemplates()).toEqual(await direct.listResourceTemplates());
      expect(await client.listPrompts()).toEqual(await direct.listPrompts());
      expect(await client.getPrompt({ name: 'simple-prompt' })).toEqual(await direct.getPrompt({ name: 'simple-prompt' }));
      const args = { city: 'Paris', state: 'TX' };
      expect(await client.getPrompt({ name: 'args-prompt', arguments: args })).toEqual(await direct.getPrompt({ name: 'args-prompt', arguments: args }));
      const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'Eng' } });
      expect(completion.completion.values).toEqual(['Engineering']);

      // Tool calls.
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hello through the relay' } }))).toBe('Echo: hello through the relay');
      expect(textOf(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }))).toContain('42');

      // Logging level.
      await expect(client.setLoggingLevel('debug')).resolves.toEqual({});

      // Progress notifications reach the client, in order and before the response. Checked on
      // the wire: the SDK client runs notification handlers a microtask late, so a progress
      // notification read in the same chunk as its response never reaches `onprogress`.
      const wire = recordWire(client);
      const done = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.4, steps: 4 } }, undefined, {
        onprogress: () => undefined,
      });
      expect(textOf(done)).toContain('Long running operation completed');
      const progress = wire.messages
        .filter((m) => 'method' in m && m.method === 'notifications/progress')
        .map((m) => (m as unknown as { params: { progress: number } }).params.progress);
      expect(progress).toEqual([1, 2, 3, 4]);
      wire.stop();

      // Cancellation: the client aborts mid-call; the session stays usable.
      const controller = new AbortController();
      let started = false;
      const cancelled = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 20, steps: 40 } }, undefined, {
        signal: controller.signal,
        onprogress: () => {
          started = true;
        },
      });
      await until(() => started, { timeoutMs: 10_000 });
      controller.abort('test cancels');
      await expect(cancelled).rejects.toThrow();
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'after cancel' } }))).toBe('Echo: after cancel');

      // Sampling round trip: server → client request, client's answer back up.
      const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'ping-42', maxTokens: 5 } });
      expect(textOf(sampled)).toContain('relay-test-model');
      expect(textOf(sampled)).toContain('ping-42');

      // Elicitation round trip.
      const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      expect(textOf(elicited)).toContain('Name: Ada Lovelace');

      // Subscriptions: the server's updated notifications reach the subscriber.
      await client.subscribeResource({ uri });
      await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
      await until(() => seen.updates.includes(uri), { timeoutMs: 10_000 });
      await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
      await client.unsubscribeResource({ uri });
    } finally {
      await direct.close();
      await client.close();
    }
  });
});

describe('an upstream killed with SIGKILL mid-call', () => {
  it('answers the in-flight call with the crash, keeps other sessions, and restarts', async () => {
    const victim = await daemon.bridgeClient('everything', CAPABILITIES, 'crash-victim');
    const bystander = await daemon.httpClient('everything', CAPABILITIES, 'crash-bystander');
    let midCall = false;
    const call = victim.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 60 } }, undefined, {
      onprogress: () => {
        midCall = true;
      },
    });
    const outcome = call.then(() => 'resolved', (error: unknown) => error);
    await until(() => midCall, { timeoutMs: 10_000 });

    const sessions = (await daemon.api['servers.get']({ id: 'everything' })).sessions;
    const victimSession = sessions.find((s) => s.client?.name === 'crash-victim');
    const bystanderSession = sessions.find((s) => s.client?.name === 'crash-bystander');
    expect(victimSession?.pid).toBeTypeOf('number');
    expect(bystanderSession?.pid).not.toBe(victimSession?.pid);
    const killedAt = Date.now();
    process.kill(victimSession!.pid!, 'SIGKILL');

    const error = await outcome;
    // The bound: the client learns of the crash within a second, not at the request timeout.
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32002);
    expect((error as McpError).message).toMatch(/server 'everything' crashed \(signal SIGKILL\) while handling tools\/call; last stderr: .*; restarting/);

    // The other session never noticed.
    expect(textOf(await bystander.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toBe('Echo: still here');
    // The same client session works again on a respawned server.
    expect(textOf(await victim.callTool({ name: 'echo', arguments: { message: 'back' } }))).toBe('Echo: back');
    const after = (await daemon.api['servers.get']({ id: 'everything' })).sessions.find((s) => s.client?.name === 'crash-victim');
    expect(after?.pid).toBeTypeOf('number');
    expect(after?.pid).not.toBe(victimSession!.pid);
    expect(after?.restarts).toBe(1);
    expect(daemon.alive()).toBe(true);
    await victim.close();
    await bystander.close();
  });
});
