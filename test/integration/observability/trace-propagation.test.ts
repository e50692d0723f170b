// Trace context through the proxy: a client that sends params._meta.traceparent (or, over HTTP,
// the traceparent header) gets a proxy span that is its child; the request that reaches the
// server (a stdio fixture that records the _meta it receives) names the proxy span as parent; and
// the span arrives at the OTLP receiver (the test gateway's /v1/traces) with the MCP semantic
// convention attributes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { attr, FakeGateway, type SpanJson } from '../../support/gateway.ts';
import { until } from '../../support/until.ts';

const RECORDING_SERVER = join(REPO_ROOT, 'test/support/recording-server.ts');

let daemon: TestDaemon;
let gateway: FakeGateway;
let folder: string;
let recordFile: string;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function received(): Array<{ traceparent?: string } | null> {
  return readFileSync(recordFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { traceparent?: string } | null);
}

function attributes(span: SpanJson): Record<string, unknown> {
  return Object.fromEntries((span.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue]));
}

async function spanOf(traceId: string): Promise<SpanJson> {
  const [span] = await until(() => gateway.spans.filter((s) => s.traceId === traceId), { done: (spans) => spans.length > 0, what: `the span of trace ${traceId} at the OTLP receiver` });
  // OTLP/HTTP's default encoding, which every collector takes.
  expect(new Set(gateway.traceContentTypes)).toEqual(new Set(['application/x-protobuf']));
  return span!;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'switchboard-trace-'));
  recordFile = join(folder, 'received.ndjson');
  gateway = new FakeGateway();
  await gateway.start();
  daemon = await startTestDaemon({
    servers: [{ id: 'rec', transport: 'stdio', command: process.execPath, args: [RECORDING_SERVER], env: { RECORD_FILE: recordFile, FAIL_FIRST_CALLS: '1', FAIL_EVERY: '1' } }],
    // Spans to the gateway's /v1/traces, audit records to its /v1/logs.
    settings: { gateway: { url: gateway.url } },
  });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await gateway?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('trace context', () => {
  it('makes the proxy span a child of the client\'s _meta.traceparent, and sends the proxy span upstream', async () => {
    const client = await daemon.httpClient('rec', undefined, 'traced-client');
    const traceId = hex(16);
    const clientSpan = hex(8);
    await client.callTool({ name: 'echo', arguments: { text: 'hi' }, _meta: { traceparent: `00-${traceId}-${clientSpan}-01` } });

    const upstream = received().at(-1)!.traceparent!;
    const [, upstreamTrace, upstreamParent] = upstream.split('-');
    expect(upstreamTrace).toBe(traceId);
    expect(upstreamParent).not.toBe(clientSpan);

    const span = await spanOf(traceId);
    expect(span.parentSpanId).toBe(clientSpan);
    expect(span.spanId).toBe(upstreamParent);
    expect(span.name).toBe('tools/call echo');
    expect(attributes(span)).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'gen_ai.operation.name': 'execute_tool',
      'network.transport': 'tcp',
      'switchboard.server.id': 'rec',
    });
    expect(attributes(span)['mcp.session.id']).toEqual(expect.any(String));
    expect(attributes(span)['jsonrpc.request.id']).toEqual(expect.any(String));
    expect(attributes(span)['mcp.protocol.version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(span.events?.map((e) => e.name)).toContain('switchboard.policy.decision');

    // The audit record of the call names the same span, in SQLite and in its OTLP log record.
    const [log] = await until(() => gateway.records.filter((r) => (r as { traceId?: string }).traceId === traceId), { done: (list) => list.length > 0, what: 'the audit log record with the trace id at the gateway' });
    expect((log as { spanId?: string }).spanId).toBe(span.spanId);
    expect(attr(log!, 'gen_ai.tool.name')).toBe('echo');
  });

  it('takes the parent from the HTTP traceparent header when _meta has none', async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    // The SDK client sends requestInit headers on every POST; this one carries a traceparent.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const traced = new Client({ name: 'header-client', version: '1.0.0' });
    await traced.connect(new StreamableHTTPClientTransport(new URL(`${daemon.baseUrl}/mcp/rec`), {
      requestInit: { headers: { authorization: `Bearer ${daemon.clientToken}`, traceparent: `00-${traceId}-${clientSpan}-01` } },
    }));
    try {
      await traced.callTool({ name: 'echo', arguments: { text: 'from header' } });
      const span = await spanOf(traceId);
      expect(span.parentSpanId).toBe(clientSpan);
      expect(received().at(-1)!.traceparent).toBe(`00-${traceId}-${span.spanId}-01`);
    } finally {
      await traced.close();
    }
  });

  it('marks a tool error with error.type tool_error, and a bridge call with network.transport pipe', async () => {
    const client = await daemon.bridgeClient('rec', undefined, 'bridge-traced');
    const traceId = hex(16);
    const result = await client.callTool({ name: 'work', arguments: {}, _meta: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    expect(result.isError).toBe(true);
    const span = await spanOf(traceId);
    expect(attributes(span)).toMatchObject({ 'error.type': 'tool_error', 'network.transport': 'pipe', 'gen_ai.tool.name': 'work' });
  });
});
