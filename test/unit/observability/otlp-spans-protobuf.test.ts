// The proxy's OTLP protobuf encoding against the SDK's own protobuf serializer: the same spans,
// decoded from both, are the same spans (ids, times to the nanosecond, attributes of every type,
// events, links, status, flags), also with long and non-ASCII strings whose lengths need more
// than the bytes reserved for them.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { otlpSpansProtobuf } from '../../../main/observability/otlp-spans-protobuf.ts';
import { SpanRecorder } from '../../../main/observability/span-recorder.ts';
import { decodeOtlpTraces, type DecodedTraces } from '../../support/otlp-protobuf.ts';

function recorded(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = { onStart: () => undefined, onEnd: (span) => { ended.push(span); }, forceFlush: async () => undefined, shutdown: async () => undefined };
  const tracer = new SpanRecorder(processor, resourceFromAttributes({ 'service.name': 'mcp-switchboard', 'service.instance.id': 'dev-1' }), { name: 'mcp-switchboard', version: '1.2.3' });
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true, traceState: createTraceState('vendor=a,other=b') });
  const a = tracer.startSpan('tools/call echo', { kind: SpanKind.SERVER, startTime: [1_765_000_000, 123_456_789], attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'echo', 'jsonrpc.request.id': '7' } }, parent);
  a.addEvent('switchboard.policy.decision', { 'switchboard.decision': 'allow', 'switchboard.rule': 'no rule matched' }, [1_765_000_000, 223_456_789]);
  a.addEvent('switchboard.approval', { 'switchboard.approval.wait_ms': 2100.25, 'switchboard.approver': 'user' }, [1_765_000_002, 5]);
  a.setAttribute('error.type', 'tool_error');
  a.setStatus({ code: SpanStatusCode.ERROR, message: 'Werkzeug fehlgeschlagen: ümlaut ✓ 𝄞' });
  a.end([1_765_000_002, 999_999_999]);
  const b = tracer.startSpan('resources/read', {
    kind: SpanKind.SERVER,
    attributes: { 'mcp.resource.uri': `file:///${'ü'.repeat(70)}/${'x'.repeat(20_000)}`, count: 42, negative: -5, ratio: 0.5, ok: true, list: ['a', 'b'] },
    links: [{ context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: 1 }, attributes: { why: 'retry' } }],
  });
  b.setStatus({ code: SpanStatusCode.OK });
  b.end();
  const c = tracer.startSpan('prompts/get greet'); // a root span, no attributes
  c.end();
  return ended;
}

function flat(decoded: DecodedTraces) {
  return {
    resources: decoded.resourceSpans.map((rs) => rs.resource),
    scopes: [...new Set(decoded.resourceSpans.flatMap((rs) => rs.scopeSpans.map((ss) => JSON.stringify(ss.scope))))],
    spans: decoded.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  };
}

describe('OTLP protobuf spans', () => {
  it('decode to the same spans as the SDK\'s protobuf serializer gives', () => {
    const spans = recorded();
    const ours = flat(decodeOtlpTraces(otlpSpansProtobuf(spans)));
    const sdk = flat(decodeOtlpTraces(ProtobufTraceSerializer.serializeRequest(spans)!));
    expect(ours).toEqual(sdk);
    expect(ours.spans).toHaveLength(3);
    const [a, b] = ours.spans;
    expect(a).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', traceState: 'vendor=a,other=b', kind: 2, startTimeUnixNano: '1765000000123456789', endTimeUnixNano: '1765000002999999999', status: { code: 2, message: 'Werkzeug fehlgeschlagen: ümlaut ✓ 𝄞' }, flags: 0x301 });
    expect(a!.events[1]!.attributes).toContainEqual({ key: 'switchboard.approval.wait_ms', value: { doubleValue: 2100.25 } });
    expect(b!.attributes).toEqual(expect.arrayContaining([
      { key: 'count', value: { intValue: '42' } },
      { key: 'negative', value: { intValue: '-5' } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
    ]));
    expect((b!.attributes.find((kv) => kv.key === 'mcp.resource.uri')!.value.stringValue as string).length).toBe(8 + 70 + 1 + 20_000);
    expect(b!.links).toEqual([expect.objectContaining({ traceId: '11111111111111111111111111111111', spanId: '2222222222222222', attributes: [{ key: 'why', value: { stringValue: 'retry' } }] })]);
  });

  it('grows its buffer for a batch larger than it starts with', () => {
    const spans = Array.from({ length: 300 }, () => recorded()).flat();
    const decoded = flat(decodeOtlpTraces(otlpSpansProtobuf(spans)));
    expect(decoded.spans).toHaveLength(900);
    expect(decoded.spans[899]!.name).toBe('prompts/get greet');
  });
});
