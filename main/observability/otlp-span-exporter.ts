// The span exporter: the SDK's OTLP/HTTP export delegate (timeouts, retries on 429/502/503/504,
// headers, the concurrency limit) with the proxy's protobuf encoding (otlp-spans-protobuf.ts),
// sent as application/x-protobuf, OTLP/HTTP's default encoding. A receiver that refuses it (some
// take only JSON) gets the same batch again as OTLP JSON, the SDK's serializer, and JSON from then on.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonTraceSerializer, TraceExporterMetricsHelper, type IExportTraceServiceResponse, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { otlpSpansProtobuf } from './otlp-spans-protobuf.ts';

const SPANS_PROTOBUF: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: (spans) => otlpSpansProtobuf(spans),
  // A partial-success answer would only be logged by the SDK; traces are best-effort.
  deserializeResponse: () => ({}),
};

/**
 * Answers that can mean "not this encoding": 400 and 422 (could not parse it), 415 (media type),
 * 500 (a receiver that crashed on it). Collectors take JSON too, so a wrong guess costs bytes only.
 */
const REFUSED_ENCODING: ReadonlySet<number> = new Set([400, 415, 422, 500]);

export interface OtlpSpanExporterOptions {
  readonly url: string;
  readonly timeoutMillis: number;
  readonly headers?: () => Promise<Record<string, string>>;
  /** Called once if the receiver refuses protobuf and spans go as JSON from then on. */
  readonly onJsonFallback?: (status: number) => void;
}

export function otlpSpanExporter(options: OtlpSpanExporterOptions): SpanExporter {
  const exporter = (serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse>, contentType: string) => new OTLPExporterBase(createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({ url: options.url, timeoutMillis: options.timeoutMillis, ...(options.headers ? { headers: options.headers } : {}) }, 'TRACES', 'v1/traces', { 'Content-Type': contentType }),
    serializer, 'otlp_http_span_exporter', TraceExporterMetricsHelper, undefined,
  ));
  const protobuf = exporter(SPANS_PROTOBUF, 'application/x-protobuf');
  const json = exporter(JsonTraceSerializer, 'application/json');
  let asJson = false;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      if (asJson) return json.export(spans, done);
      protobuf.export(spans, (result) => {
        const status = (result.error as { code?: unknown } | undefined)?.code;
        if (result.code === ExportResultCode.FAILED && typeof status === 'number' && REFUSED_ENCODING.has(status)) {
          asJson = true;
          options.onJsonFallback?.(status);
          json.export(spans, done);
          return;
        }
        done(result);
      });
    },
    async shutdown(): Promise<void> {
      await Promise.all([protobuf.shutdown(), json.shutdown()]);
    },
    async forceFlush(): Promise<void> {
      await Promise.all([protobuf.forceFlush(), json.forceFlush()]);
    },
  };
}
