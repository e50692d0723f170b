// W3C trace context in params._meta: a valid traceparent is the parent, a malformed one is ignored
// (a new trace starts), and the proxy span replaces the client's in what goes upstream.
import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { contextFromMeta, putSpanInMeta } from '../../../main/observability/tracing.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('trace context in _meta', () => {
  it('reads a valid traceparent and tracestate as the remote parent', () => {
    const parent = trace.getSpanContext(contextFromMeta({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=x' }));
    expect(parent).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(parent!.traceState!.get('vendor')).toBe('x');
  });

  it.each([
    ['not hex', `00-${'z'.repeat(32)}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${SPAN}-01-extra`],
  ])('ignores a malformed traceparent (%s)', (_name, traceparent) => {
    expect(trace.getSpanContext(contextFromMeta({ traceparent }))).toBeUndefined();
  });

  it('puts the proxy span in _meta in place, keeping the rest of _meta', () => {
    const span = new TracerProvider().getTracer('t').startSpan('x', {}, contextFromMeta({ traceparent: `00-${TRACE}-${SPAN}-01` }));
    const request: JSONRPCRequest = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'n', _meta: { traceparent: `00-${TRACE}-${SPAN}-01`, progressToken: 7 } } };
    putSpanInMeta(request, span);
    const meta = (request.params as { _meta: Record<string, unknown> })._meta;
    expect(meta.traceparent).toBe(`00-${TRACE}-${span.spanContext().spanId}-01`);
    expect(meta.progressToken).toBe(7);
  });
});
