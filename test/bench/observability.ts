// Added daemon CPU per call with metrics and tracing on, for `npm run bench`: the tracing
// interceptor (a span per call, context into _meta, a BatchSpanProcessor and the real OTLP/HTTP
// protobuf exporter sending to a sink in another process, so encoding and sending are paid here too)
// plus the metrics of the finished record (one histogram observation, one counter), against the
// same loop with both off. CPU is process.cpuUsage() (user + system), flushes included.
//   node test/bench/observability.ts    (or through test/bench/run.ts)
import { spawn } from 'node:child_process';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { CallContext, RelayResponse, SessionInfo } from '../../main/relay/interceptor.ts';
import { SwitchboardMetrics, type FinishedCall } from '../../main/observability/metrics.ts';
import { TraceExport } from '../../main/observability/trace-export.ts';
import { TracingInterceptor } from '../../main/observability/tracing.ts';
import { silentLogger } from '../../main/base/logger.ts';
import { SpanRecorder } from '../../main/observability/span-recorder.ts';
import { NoopSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { otlpSpansProtobuf } from '../../main/observability/otlp-spans-protobuf.ts';

interface Row { name: string; value: number; unit: string; goal?: string; bytes?: number }

const CALLS = 10_000;
const TOOLS = Array.from({ length: 20 }, (_, i) => `tool_${i}`);

async function startSink(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', `
    const http = require('node:http');
    const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')); });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { url: `http://127.0.0.1:${port}/v1/traces`, stop: () => child.kill() };
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

export async function runObservabilityBench(): Promise<Row[]> {
  const sink = await startSink();
  const traces = new TraceExport({ serviceVersion: 'bench', deviceId: 'bench', logger: silentLogger, scheduledDelayMs: 200 });
  traces.apply({ url: sink.url, maxQueue: 4096 });
  const metrics = new SwitchboardMetrics();
  const tracing = new TracingInterceptor({ tracer: () => traces.tracer() });
  const session: SessionInfo = { sessionId: 'bench-session', serverId: 'bench', transport: 'http', clientLabel: 'bench', client: { name: 'bench-client', version: '1' }, protocolVersion: '2025-06-18' };
  const signal = new AbortController().signal;
  const request = (i: number): JSONRPCRequest => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: TOOLS[i % TOOLS.length]!, arguments: { text: 'x' }, _meta: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } } });
  const answer = (r: JSONRPCRequest): RelayResponse => ({ jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text: 'x' }] } });
  const record = (r: JSONRPCRequest): FinishedCall => ({ serverId: 'bench', method: 'tools/call', target: (r.params as { name: string }).name, clientName: 'bench-client', outcome: 'ok', durationMs: 1.5, decision: 'allow', source: 'user' });

  const loop = async (on: boolean): Promise<number> => {
    const start = cpuMicros();
    for (let i = 0; i < CALLS; i++) {
      const req = request(i);
      const ctx = { session, request: req, signal, startedAt: 0 } as CallContext;
      if (on) {
        await tracing.handle(ctx, async (r) => {
          const response = answer(r);
          metrics.call(record(r));
          return response;
        });
      } else {
        answer(req);
      }
    }
    if (on) await traces.flush();
    return (cpuMicros() - start) / CALLS;
  };
  try {
    await loop(true); // warm-up
    await loop(false);
    // Rounds taking turns, the median of each: one pair alone moved by ±5 µs on this shared machine.
    const offs: number[] = [];
    const ons: number[] = [];
    for (let round = 0; round < 9; round++) {
      offs.push(await loop(false));
      ons.push(await loop(true));
    }
    const off = median(offs);
    const on = median(ons);
    const perSpan = await spanCost();
    const encoding = await encodingCost();
    const text = await metrics.text();
    const scrapeStart = cpuMicros();
    for (let i = 0; i < 20; i++) await metrics.text();
    return [
      { name: 'observability: added daemon CPU per call (metrics + tracing, OTLP export)', value: round(on - off), unit: 'µs', goal: '≤ 10 µs' },
      { name: 'observability: why the proxy records its own spans: one span through the interceptor, SDK tracer', value: round(perSpan.sdk), unit: 'µs' },
      { name: 'observability: the same with the proxy\'s span recorder (same processor and OTLP exporter)', value: round(perSpan.recorder), unit: 'µs' },
      { name: 'observability: why the proxy encodes its own spans: a batch of 512, per span, SDK JSON serializer', value: round(encoding.sdkJson), unit: 'µs', bytes: encoding.jsonBytes },
      { name: 'observability: the same, SDK protobuf serializer', value: round(encoding.sdkProtobuf), unit: 'µs', bytes: encoding.protobufBytes },
      { name: 'observability: the same, the proxy\'s protobuf writer (what is sent)', value: round(encoding.ours), unit: 'µs', bytes: encoding.protobufBytes },
      { name: 'observability: /metrics scrape (20 tools)', value: round((cpuMicros() - scrapeStart) / 20), unit: 'µs' },
      { name: 'observability: /metrics body', value: text.body.length, unit: 'bytes' },
    ];
  } finally {
    await traces.stop();
    sink.stop();
  }
}

/**
 * CPU per span through the tracing interceptor, no export: the SDK's tracer (it re-checks and
 * copies every attribute) against the recorder, in alternating rounds, the median of each.
 */
async function spanCost(): Promise<{ sdk: number; recorder: number }> {
  const tracers: Record<'sdk' | 'recorder', Tracer> = {
    sdk: new TracerProvider().getTracer('bench'),
    recorder: new SpanRecorder(new NoopSpanProcessor(), resourceFromAttributes({}), { name: 'bench' }),
  };
  const session: SessionInfo = { sessionId: 'bench-session', serverId: 'bench', transport: 'http', clientLabel: 'bench', client: { name: 'bench-client', version: '1' }, protocolVersion: '2025-06-18' };
  const samples: Record<'sdk' | 'recorder', number[]> = { sdk: [], recorder: [] };
  const answer: RelayResponse = { jsonrpc: '2.0', id: 0, result: { content: [] } };
  const signal = new AbortController().signal;
  for (let round = 0; round < 7; round++) {
    for (const kind of ['sdk', 'recorder'] as const) {
      const tracing = new TracingInterceptor({ tracer: () => tracers[kind] });
      const start = cpuMicros();
      for (let i = 0; i < 10_000; i++) {
        const request: JSONRPCRequest = { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: TOOLS[i % TOOLS.length]!, arguments: { text: 'x' }, _meta: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } } };
        await tracing.handle({ session, request, signal, startedAt: 0 } as CallContext, () => Promise.resolve(answer));
      }
      if (round > 0) samples[kind].push((cpuMicros() - start) / 10_000);
    }
  }
  return { sdk: median(samples.sdk), recorder: median(samples.recorder) };
}

/** CPU per span to encode a batch of 512 recorded spans: the SDK's JSON and protobuf serializers and the proxy's writer, in alternating rounds. */
async function encodingCost(): Promise<{ sdkJson: number; sdkProtobuf: number; ours: number; jsonBytes: number; protobufBytes: number }> {
  const spans: ReadableSpan[] = [];
  const collect: SpanProcessor = { onStart: () => undefined, onEnd: (span) => { spans.push(span); }, forceFlush: async () => undefined, shutdown: async () => undefined };
  const tracing = new TracingInterceptor({ tracer: () => recorder });
  const recorder = new SpanRecorder(collect, resourceFromAttributes({ 'service.name': 'mcp-switchboard', 'service.version': 'bench', 'service.instance.id': 'bench-device' }), { name: 'mcp-switchboard', version: 'bench' });
  const session: SessionInfo = { sessionId: 'bench-session', serverId: 'bench', transport: 'http', clientLabel: 'bench', client: { name: 'bench-client', version: '1' }, protocolVersion: '2025-06-18' };
  const signal = new AbortController().signal;
  for (let i = 0; i < 512; i++) {
    const request: JSONRPCRequest = { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: TOOLS[i % TOOLS.length]!, arguments: { text: 'x' } } };
    await tracing.handle({ session, request, signal, startedAt: 0, decision: { action: 'allow', rule: 'no rule matched', source: 'default' } } as CallContext, () => Promise.resolve({ jsonrpc: '2.0', id: i, result: { content: [] } }));
  }
  const encoders = {
    sdkJson: () => JsonTraceSerializer.serializeRequest(spans)!,
    sdkProtobuf: () => ProtobufTraceSerializer.serializeRequest(spans)!,
    ours: () => otlpSpansProtobuf(spans),
  };
  const samples: Record<keyof typeof encoders, number[]> = { sdkJson: [], sdkProtobuf: [], ours: [] };
  for (let round = 0; round < 7; round++) {
    for (const kind of Object.keys(encoders) as Array<keyof typeof encoders>) {
      const start = cpuMicros();
      for (let i = 0; i < 10; i++) encoders[kind]();
      if (round > 0) samples[kind].push((cpuMicros() - start) / (10 * spans.length));
    }
  }
  return {
    sdkJson: median(samples.sdkJson), sdkProtobuf: median(samples.sdkProtobuf), ours: median(samples.ours),
    jsonBytes: Math.round(encoders.sdkJson().length / spans.length), protobufBytes: Math.round(encoders.ours().length / spans.length),
  };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.main) {
  for (const row of await runObservabilityBench()) console.log(`${row.name.padEnd(72)} ${String(row.value).padStart(8)} ${row.unit}${row.bytes ? ` (${row.bytes} bytes per span)` : ''}${row.goal ? `   goal ${row.goal}` : ''}`);
}
