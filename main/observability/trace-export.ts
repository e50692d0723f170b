// Where spans go: OTLP/HTTP (protobuf, JSON for a receiver that refuses it) to settings.observability.traces.endpoint, or else the audit
// gateway's /v1/traces with the gateway's bearer token. A BatchSpanProcessor with a bounded queue:
// when the gateway is slow or down, spans beyond the queue are dropped (traces are best-effort).
// No endpoint (or traces disabled): no tracer, and calls pass through untouched.
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { Logger } from '../base/logger.ts';
import { otlpSpanExporter } from './otlp-span-exporter.ts';
import { SpanRecorder } from './span-recorder.ts';

export interface TraceTarget {
  /** The full OTLP traces URL. */
  readonly url: string;
  readonly maxQueue: number;
  /** Bearer token for the request (the gateway's credential), read per export. */
  readonly token?: () => Promise<string | undefined>;
}

/** The gateway's traces URL: base URL + /v1/traces; a URL given as …/v1/logs becomes …/v1/traces. */
export function otlpTracesEndpoint(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/v1\/traces$/i.test(path)) url.pathname = path;
  else if (/\/v1\/logs$/i.test(path)) url.pathname = path.replace(/\/v1\/logs$/i, '/v1/traces');
  else url.pathname = `${path}/v1/traces`;
  return url.toString();
}

export interface TraceExportOptions {
  readonly serviceVersion: string;
  readonly deviceId: string;
  readonly logger: Logger;
  /** Test and bench hook: how long spans wait to be batched (default 1 s). */
  readonly scheduledDelayMs?: number;
}

export class TraceExport {
  private readonly options: TraceExportOptions;
  private processor: BatchSpanProcessor | undefined;
  private current: Tracer | null = null;
  private appliedKey = 'null';

  constructor(options: TraceExportOptions) {
    this.options = options;
  }

  /** The tracer now, or null when nothing is exported. */
  tracer(): Tracer | null {
    return this.current;
  }

  /** Points export at `target` (null: off). Unchanged targets keep the running exporter. */
  apply(target: TraceTarget | null): void {
    const key = target ? JSON.stringify([target.url, target.maxQueue, target.token !== undefined]) : 'null';
    if (key === this.appliedKey) return;
    this.appliedKey = key;
    const old = this.processor;
    this.processor = undefined;
    this.current = null;
    if (old) void old.shutdown().catch(() => undefined);
    if (!target) return;
    const token = target.token;
    const exporter = otlpSpanExporter({
      url: target.url,
      timeoutMillis: 10_000,
      onJsonFallback: (status) => this.options.logger.info('traces: the receiver refused OTLP protobuf, sending OTLP JSON from now on', { url: target.url, status }),
      ...(token ? { headers: async () => {
        const value = await token().catch(() => undefined);
        const headers: Record<string, string> = {};
        if (value) headers.authorization = `Bearer ${value}`;
        return headers;
      } } : {}),
    });
    const processor = new BatchSpanProcessor({
      exporter,
      maxQueueSize: target.maxQueue,
      maxExportBatchSize: Math.min(512, target.maxQueue),
      scheduledDelayMillis: this.options.scheduledDelayMs ?? 1000,
    });
    const resource = resourceFromAttributes({ 'service.name': 'mcp-switchboard', 'service.version': this.options.serviceVersion, 'service.instance.id': this.options.deviceId });
    this.processor = processor;
    this.current = new SpanRecorder(processor, resource, { name: 'mcp-switchboard', version: this.options.serviceVersion });
    this.options.logger.info('traces exported', { url: target.url });
  }

  /** Sends what is queued now (tests, shutdown). */
  async flush(): Promise<void> {
    await this.processor?.forceFlush().catch(() => undefined);
  }

  async stop(): Promise<void> {
    const processor = this.processor;
    this.processor = undefined;
    this.current = null;
    this.appliedKey = 'null';
    await processor?.shutdown().catch(() => undefined);
  }
}
