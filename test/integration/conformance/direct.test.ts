// The conformance fixture itself, without the proxy: every server scenario of
// @modelcontextprotocol/conformance passes against it over Streamable HTTP, and its stdio mode (the one
// the daemon spawns) serves the same features. proxy.test.ts compares the proxy against this baseline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { serveConformanceHttp } from '../../support/conformance-server.ts';
import { failures, runConformance, verdicts, type ConformanceRun } from '../../support/conformance-runner.ts';

const fixturePath = new URL('../../support/conformance-server.ts', import.meta.url).pathname;

describe('conformance fixture, direct', () => {
  let server: Awaited<ReturnType<typeof serveConformanceHttp>>;
  let run: ConformanceRun;

  beforeAll(async () => {
    server = await serveConformanceHttp(0);
    run = await runConformance({ url: server.url, suite: 'all' });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('passes every server scenario over Streamable HTTP', () => {
    expect(failures(run)).toEqual([]);
    for (const scenario of ['server-initialize', 'tools-call-sampling', 'tools-call-elicitation', 'resources-subscribe',
      'completion-complete', 'json-schema-2020-12', 'elicitation-sep1330-enums', 'dns-rebinding-protection']) {
      expect(run.scenarios.has(scenario), scenario).toBe(true);
    }
    const successes = [...verdicts(run).values()].filter((status) => status === 'SUCCESS');
    expect(successes.length).toBeGreaterThanOrEqual(44);
  });

  it('rejects a foreign Host/Origin with 4xx and accepts loopback (DNS rebinding protection)', () => {
    const checks = run.scenarios.get('dns-rebinding-protection') ?? [];
    expect(checks.map((check) => check.status)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('serves the same features over stdio, the mode the daemon spawns', async () => {
    const client = new Client({ name: 'stdio-probe', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: 'probe',
      role: 'assistant',
      content: { type: 'text', text: `echo ${JSON.stringify(request.params.messages[0]?.content)}` },
    }));
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (note) => {
      updated.push(note.params.uri);
    });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [fixturePath], stderr: 'pipe' }));
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toEqual(expect.arrayContaining(['test_simple_text', 'test_sampling', 'test_tool_with_progress']));
      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
      expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: echo {"type":"text","text":"hi"}' }]);
      await client.subscribeResource({ uri: 'test://watched-resource' });
      await client.callTool({ name: 'test_update_subscribed_resources', arguments: {} });
      expect(updated).toEqual(['test://watched-resource']);
    } finally {
      await client.close();
    }
  });
});
