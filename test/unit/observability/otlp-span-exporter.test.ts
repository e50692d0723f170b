// The span exporter against the real test gateway over HTTP: protobuf by default, and a receiver
// that refuses protobuf (415) gets the same batch as OTLP JSON, and JSON from then on.
import { afterEach, describe, expect, it } from 'vitest';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { otlpSpanExporter } from '../../../main/observability/otlp-span-exporter.ts';
import { SpanRecorder } from '../../../main/observability/span-recorder.ts';
import { FakeGateway } from '../../support/gateway.ts';

let gateway: FakeGateway | undefined;
let exporter: SpanExporter | undefined;

afterEach(async () => {
  await exporter?.shutdown();
  await gateway?.stop();
});

function spans(name: string): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = { onStart: () => undefined, onEnd: (span) => { ended.push(span); }, forceFlush: async () => undefined, shutdown: async () => undefined };
  new SpanRecorder(processor, resourceFromAttributes({ 'service.name': 'mcp-switchboard' }), { name: 'mcp-switchboard' }).startSpan(name, { attributes: { 'gen_ai.tool.name': 'echo' } }).end();
  return ended;
}

const send = (batch: ReadableSpan[]) => new Promise<ExportResult>((resolve) => exporter!.export(batch, resolve));

describe('the span exporter', () => {
  it('sends OTLP protobuf', async () => {
    gateway = new FakeGateway();
    exporter = otlpSpanExporter({ url: `${await gateway.start()}/v1/traces`, timeoutMillis: 5000 });
    expect((await send(spans('tools/call echo'))).code).toBe(ExportResultCode.SUCCESS);
    expect(gateway.traceContentTypes).toEqual(['application/x-protobuf']);
    expect(gateway.spans.map((s) => s.name)).toEqual(['tools/call echo']);
  });

  it('sends the batch again as JSON when the receiver refuses protobuf, and JSON from then on', async () => {
    gateway = new FakeGateway({ tracesJsonOnly: true });
    const fallbacks: number[] = [];
    exporter = otlpSpanExporter({ url: `${await gateway.start()}/v1/traces`, timeoutMillis: 5000, onJsonFallback: (status) => fallbacks.push(status) });
    expect((await send(spans('first'))).code).toBe(ExportResultCode.SUCCESS);
    expect((await send(spans('second'))).code).toBe(ExportResultCode.SUCCESS);
    expect(gateway.traceContentTypes).toEqual(['application/x-protobuf', 'application/json', 'application/json']);
    expect(gateway.spans.map((s) => s.name)).toEqual(['first', 'second']);
    expect(fallbacks).toEqual([415]);
  });
});
