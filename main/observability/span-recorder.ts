// The proxy's tracer: records spans and hands the ended ones to the SDK's span processor (the
// BatchSpanProcessor with its bounded queue, then the SDK's OTLP/HTTP exporter and its encoding).
//
// Why not the SDK's own tracer: it re-validates and copies every attribute value of every span,
// twice (a fresh WeakSet per value), which costs about twice the CPU of this recorder per span, in
// a per-call budget of 10 µs for metrics and tracing together. This proxy's attributes are its own
// strings and numbers, so the recorder keeps them as given. `npm run bench` prints both per-span
// costs side by side. Sampling is the SDK's default: parent-based, and always on for a root span.
import { ROOT_CONTEXT, SpanStatusCode, context as contextApi, trace, isSpanContextValid, type Attributes, type AttributeValue, type Context, type Exception, type HrTime, type Link, type Span, type SpanAttributes, type SpanContext, type SpanKind, type SpanOptions, type SpanStatus, type TimeInput, type Tracer } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { randomFillSync } from 'node:crypto';

/** Random hex ids from a pooled buffer: one randomFillSync per 512 span ids instead of one per id. */
class IdPool {
  private readonly pool = Buffer.allocUnsafe(4096);
  private offset = this.pool.length;

  /** `bytes` random bytes as hex, never all zero (an all-zero id is invalid in W3C trace context). */
  next(bytes: number): string {
    for (;;) {
      if (this.offset + bytes > this.pool.length) {
        randomFillSync(this.pool);
        this.offset = 0;
      }
      const start = this.offset;
      this.offset += bytes;
      for (let i = start; i < start + bytes; i++) if (this.pool[i] !== 0) return this.pool.toString('hex', start, start + bytes);
    }
  }
}

const ids = new IdPool();

function millisToHrTime(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

const TIME_ORIGIN = performance.timeOrigin;

/** Wall-clock now with the monotonic clock's resolution. */
function nowMillis(): number {
  return TIME_ORIGIN + performance.now();
}

// Shared until a span sets its own (a span is allocated per call: fewer objects, less GC).
const NO_LINKS: Link[] = [];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as unknown as HrTime;

/** A time as [seconds, nanoseconds] since the epoch; an HrTime given is kept to the nanosecond. */
function toHrTime(time: TimeInput | undefined): HrTime {
  if (time === undefined) return millisToHrTime(nowMillis());
  if (typeof time === 'number') return millisToHrTime(time);
  if (time instanceof Date) return millisToHrTime(time.getTime());
  return [time[0], time[1]];
}

function isBefore(a: HrTime, b: HrTime): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function difference(end: HrTime, start: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  return [seconds, nanos];
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}

export class RecordedSpan implements Span, ReadableSpan {
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly attributes: Attributes;
  links: Link[] = NO_LINKS;
  readonly events: TimedEvent[] = [];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  name: string;
  status: SpanStatus = UNSET;
  endTime: HrTime = NOT_ENDED;
  duration: HrTime = NOT_ENDED;
  ended = false;
  private readonly context: SpanContext;
  private readonly processor: SpanProcessor;

  constructor(init: { name: string; kind: SpanKind; context: SpanContext; parent: SpanContext | undefined; attributes: Attributes; startTime: HrTime; resource: Resource; scope: InstrumentationScope; processor: SpanProcessor }) {
    this.name = init.name;
    this.kind = init.kind;
    this.context = init.context;
    this.parentSpanContext = init.parent;
    this.attributes = init.attributes;
    this.startTime = init.startTime;
    this.resource = init.resource;
    this.instrumentationScope = init.scope;
    this.processor = init.processor;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (!this.ended && value !== undefined) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const attributes = isTimeInput(attributesOrTime) ? undefined : attributesOrTime;
    const at = isTimeInput(attributesOrTime) ? attributesOrTime : time;
    this.events.push({ name, time: toHrTime(at), ...(attributes ? { attributes } : {}) });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links === NO_LINKS) this.links = [];
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended) return this;
    // As the SDK: OK is final, and a message belongs only to ERROR.
    if (this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR ? { code: status.code, ...(status.message !== undefined ? { message: status.message } : {}) } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const end = toHrTime(endTime);
    this.endTime = isBefore(end, this.startTime) ? this.startTime : end;
    this.duration = difference(this.endTime, this.startTime);
    this.processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: SpanAttributes = typeof exception === 'string'
      ? { 'exception.message': exception }
      : {
          ...(exception.name ? { 'exception.type': exception.name } : {}),
          ...(exception.message ? { 'exception.message': exception.message } : {}),
          ...(exception.stack ? { 'exception.stacktrace': exception.stack } : {}),
        };
    this.addEvent('exception', attributes, time);
  }
}

export class SpanRecorder implements Tracer {
  private readonly processor: SpanProcessor;
  private readonly resource: Resource;
  private readonly scope: InstrumentationScope;

  constructor(processor: SpanProcessor, resource: Resource, scope: InstrumentationScope) {
    this.processor = processor;
    this.resource = resource;
    this.scope = scope;
  }

  /**
   * A recording span, child of the span in `context` when there is a valid one. The options'
   * attributes object is kept (not copied): callers pass a fresh one. A parent that is not sampled
   * gives a non-recording span that only carries the context on.
   */
  startSpan(name: string, options: SpanOptions = {}, context: Context = ROOT_CONTEXT): Span {
    const parent = options.root ? undefined : trace.getSpanContext(context);
    const validParent = parent !== undefined && isSpanContextValid(parent) ? parent : undefined;
    const sampled = validParent === undefined || (validParent.traceFlags & 1) === 1;
    const spanContext: SpanContext = { traceId: validParent?.traceId ?? ids.next(16), spanId: ids.next(8), traceFlags: sampled ? 1 : 0 };
    if (validParent?.traceState) spanContext.traceState = validParent.traceState;
    if (!sampled) return trace.wrapSpanContext(spanContext);
    const attributes: Attributes = options.attributes ?? {};
    for (const key in attributes) if (attributes[key] === undefined) delete attributes[key];
    const span = new RecordedSpan({
      name,
      kind: options.kind ?? 0,
      context: spanContext,
      parent: validParent,
      attributes,
      startTime: toHrTime(options.startTime),
      resource: this.resource,
      scope: this.scope,
      processor: this.processor,
    });
    if (options.links) span.addLinks(options.links);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, parent] = rest as [SpanOptions | undefined, Context | undefined];
    const active = parent ?? contextApi.active();
    const span = this.startSpan(name, options, active);
    return contextApi.with(trace.setSpan(active, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}
