// The proxy's span recorder: parent-based sampling as the SDK's default, spans handed to the
// processor once when they end, and what the SDK's own OTLP/JSON encoding makes of them.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanRecorder } from '../../../main/observability/span-recorder.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

function recorder(): { tracer: SpanRecorder; ended: ReadableSpan[] } {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => { ended.push(span); },
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  return { tracer: new SpanRecorder(processor, resourceFromAttributes({ 'service.name': 'mcp-switchboard' }), { name: 'mcp-switchboard', version: '9.9.9' }), ended };
}

const parentContext = (flags: number) => trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: PARENT, traceFlags: flags, isRemote: true } satisfies SpanContext);

describe('span recorder', () => {
  it('starts a root span with fresh W3C ids when there is no parent', () => {
    const { tracer } = recorder();
    const a = tracer.startSpan('a').spanContext();
    const b = tracer.startSpan('b').spanContext();
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.traceId).not.toMatch(/^0+$/);
    expect(a.traceFlags).toBe(1);
    expect(b.traceId).not.toBe(a.traceId);
    expect(b.spanId).not.toBe(a.spanId);
  });

  it('is a child of a sampled remote parent: same trace, the parent named, sampled', () => {
    const { tracer, ended } = recorder();
    const span = tracer.startSpan('tools/call echo', { kind: SpanKind.SERVER }, parentContext(1));
    expect(span.spanContext()).toMatchObject({ traceId: TRACE, traceFlags: 1 });
    expect(span.spanContext().spanId).not.toBe(PARENT);
    span.end();
    expect(ended).toHaveLength(1);
    expect(ended[0]!.parentSpanContext?.spanId).toBe(PARENT);
  });

  it('records nothing under a parent that is not sampled, and carries its context on', () => {
    const { tracer, ended } = recorder();
    const span = tracer.startSpan('x', {}, parentContext(0));
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext()).toMatchObject({ traceId: TRACE, traceFlags: 0 });
    span.end();
    expect(ended).toHaveLength(0);
  });

  it('hands a span to the processor once, with its duration, and ignores changes after the end', () => {
    const { tracer, ended } = recorder();
    const span = tracer.startSpan('x', { attributes: { a: 1 }, startTime: 1_000 });
    span.addEvent('switchboard.policy.decision', { 'switchboard.decision': 'allow' }, 1_002);
    span.end(1_005.5);
    span.end();
    span.setAttribute('late', 'no');
    span.addEvent('late');
    expect(ended).toHaveLength(1);
    const done = ended[0]!;
    expect(done.startTime).toEqual([1, 0]);
    expect(done.endTime).toEqual([1, 5_500_000]);
    expect(done.duration).toEqual([0, 5_500_000]);
    expect(done.attributes).toEqual({ a: 1 });
    expect(done.events.map((event) => event.name)).toEqual(['switchboard.policy.decision']);
  });

  it('keeps ERROR with its message, and OK is final', () => {
    const { tracer, ended } = recorder();
    const failed = tracer.startSpan('f');
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    failed.end();
    const ok = tracer.startSpan('o');
    ok.setStatus({ code: SpanStatusCode.OK, message: 'ignored' });
    ok.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    ok.end();
    expect(ended.map((span) => span.status)).toEqual([{ code: SpanStatusCode.ERROR, message: 'boom' }, { code: SpanStatusCode.OK }]);
  });

  it('is encoded by the SDK\'s OTLP/JSON serializer with ids, kind, attributes, events and resource', () => {
    const { tracer, ended } = recorder();
    const span = tracer.startSpan('tools/call echo', { kind: SpanKind.SERVER, attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'echo' } }, parentContext(1));
    span.addEvent('switchboard.approval', { 'switchboard.approval.wait_ms': 2100 });
    span.setAttribute('error.type', 'tool_error');
    span.end();
    const body = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(ended)));
    const resourceSpans = body.resourceSpans[0];
    expect(resourceSpans.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'mcp-switchboard' } });
    expect(resourceSpans.scopeSpans[0].scope).toMatchObject({ name: 'mcp-switchboard', version: '9.9.9' });
    const encoded = resourceSpans.scopeSpans[0].spans[0];
    expect(encoded).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, spanId: span.spanContext().spanId, name: 'tools/call echo', kind: 2 });
    expect(encoded.attributes).toEqual(expect.arrayContaining([
      { key: 'mcp.method.name', value: { stringValue: 'tools/call' } },
      { key: 'gen_ai.tool.name', value: { stringValue: 'echo' } },
      { key: 'error.type', value: { stringValue: 'tool_error' } },
    ]));
    expect(encoded.events[0]).toMatchObject({ name: 'switchboard.approval' });
    expect(BigInt(encoded.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(encoded.startTimeUnixNano));
  });
});
