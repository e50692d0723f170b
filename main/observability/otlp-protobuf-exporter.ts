// The SDK's OTLP/HTTP exporter (its HTTP delegate: timeout, retries on 429/502/503/504, headers,
// the concurrency limit) with the proxy's protobuf encoding (otlp-spans-protobuf.ts) instead of the
// SDK's serializers, sent as application/x-protobuf to …/v1/traces.
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { TraceExporterMetricsHelper, type IExportTraceServiceResponse, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { otlpSpansProtobuf } from './otlp-spans-protobuf.ts';

const SPANS_PROTOBUF: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: (spans) => otlpSpansProtobuf(spans),
  // A partial-success answer would only be logged by the SDK; traces are best-effort.
  deserializeResponse: () => ({}),
};

export interface OtlpProtobufExporterOptions {
  readonly url: string;
  readonly timeoutMillis: number;
  readonly headers?: () => Promise<Record<string, string>>;
}

export function otlpProtobufSpanExporter(options: OtlpProtobufExporterOptions): SpanExporter {
  const http = convertLegacyHttpOptions(
    { url: options.url, timeoutMillis: options.timeoutMillis, ...(options.headers ? { headers: options.headers } : {}) },
    'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' },
  );
  return new OTLPExporterBase(createOtlpHttpExportDelegate(http, SPANS_PROTOBUF, 'otlp_http_span_exporter', TraceExporterMetricsHelper, undefined));
}
