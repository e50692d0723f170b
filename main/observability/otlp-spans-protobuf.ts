// Spans as an OTLP/HTTP protobuf traces request (ExportTraceServiceRequest of opentelemetry-proto,
// content type application/x-protobuf: OTLP/HTTP's default encoding, which every collector takes),
// written straight into one buffer.
//
// Why not the SDK's serializers: both first build a second object tree per span; the JSON one then
// stringifies 1.2 kB per span and the protobuf one encodes it field by field in JS. With issue 16's
// budget of 10 µs per call for metrics and tracing together, that was most of it. This writer puts
// ids in as bytes (Buffer's hex decoder), strings with Buffer's native UTF-8 writer, and nested
// lengths by reserving their varint and moving the body only when the guess was short. `npm run
// bench` prints the three per span; the unit test decodes this and the SDK's protobuf and compares.
import type { AttributeValue, Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;
const TWO_32 = 0x1_0000_0000;

class Writer {
  buf: Buffer;
  pos = 0;

  constructor(expected: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, expected));
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  varint(value: number): void {
    this.ensure(10);
    while (value > 0x7f) {
      this.buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** Opens a length-delimited field; `expected` guesses the body's size to reserve its length's varint. */
  open(field: number, expected: number): number {
    this.tag(field, LENGTH);
    const reserved = expected < 0x80 ? 1 : expected < 0x4000 ? 2 : 3;
    this.ensure(reserved);
    this.pos += reserved;
    return this.pos * 4 + reserved;
  }

  close(mark: number): void {
    const start = Math.floor(mark / 4);
    const reserved = mark % 4;
    const length = this.pos - start;
    const needed = length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x20_0000 ? 3 : length < 0x1000_0000 ? 4 : 5;
    if (needed !== reserved) {
      this.ensure(needed - reserved);
      this.buf.copyWithin(start + needed - reserved, start, this.pos);
      this.pos += needed - reserved;
    }
    let at = start - reserved;
    let value = length;
    for (let i = 1; i < needed; i++) {
      this.buf[at++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[at] = value;
  }

  string(field: number, value: string): void {
    // At most 3 bytes per UTF-16 unit: under 43 units the length fits one byte without measuring.
    const bytes = value.length < 43 ? -1 : Buffer.byteLength(value, 'utf8');
    this.tag(field, LENGTH);
    if (bytes === -1) {
      this.ensure(1 + value.length * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      // ASCII (keys, ids, names) byte by byte: cheaper than a call into Buffer's encoder per string.
      let i = 0;
      for (; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buf[start + i] = code;
      }
      const written = i === value.length ? i : buf.write(value, start, 'utf8');
      buf[this.pos] = written;
      this.pos = start + written;
      return;
    }
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }

  hex(field: number, value: string): void {
    const bytes = value.length >>> 1;
    this.tag(field, LENGTH);
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, 'hex');
  }

  /** A uint32/enum field; proto3 leaves out a zero. */
  uint(field: number, value: number | undefined): void {
    if (!value) return;
    this.tag(field, VARINT);
    this.varint(value);
  }

  fixed32(field: number, value: number): void {
    this.tag(field, FIXED32);
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** Nanoseconds since the epoch of `time`, as fixed64, exact without BigInt (seconds < 2^31). */
  time(field: number, time: HrTime): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    const seconds = Math.trunc(time[0]);
    const nanos = Math.trunc(time[1]);
    const a = Math.floor(seconds / 65536);
    const b = seconds % 65536;
    const x = a * 1e9;
    const xh = Math.floor(x / 65536);
    const xl = x % 65536;
    const y = xl * 65536 + b * 1e9 + nanos;
    const hi = xh + Math.floor(y / TWO_32);
    this.buf.writeUInt32LE(y % TWO_32, this.pos);
    this.buf.writeUInt32LE(hi, this.pos + 4);
    this.pos += 8;
  }

  done(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function anyValue(w: Writer, field: number, value: AttributeValue): void {
  const mark = w.open(field, 32);
  switch (typeof value) {
    case 'string':
      w.string(1, value);
      break;
    case 'boolean':
      w.tag(2, VARINT);
      w.varint(value ? 1 : 0);
      break;
    case 'number':
      if (Number.isSafeInteger(value) && value >= 0) {
        w.tag(3, VARINT);
        w.varint(value);
      } else if (Number.isSafeInteger(value)) {
        // A negative int64 is ten bytes of two's complement: rare here, so through BigInt.
        w.tag(3, VARINT);
        let v = BigInt.asUintN(64, BigInt(value));
        w.ensure(10);
        while (v > 0x7fn) {
          w.buf[w.pos++] = Number(v & 0x7fn) | 0x80;
          v >>= 7n;
        }
        w.buf[w.pos++] = Number(v);
      } else {
        w.tag(4, FIXED64);
        w.ensure(8);
        w.buf.writeDoubleLE(value, w.pos);
        w.pos += 8;
      }
      break;
    default:
      if (Array.isArray(value)) {
        const array = w.open(5, 64);
        for (const item of value) if (item !== null && item !== undefined) anyValue(w, 1, item as AttributeValue);
        w.close(array);
      }
  }
  w.close(mark);
}

function attributes(w: Writer, field: number, values: Attributes | undefined): void {
  if (values === undefined) return;
  for (const key in values) {
    const value = values[key];
    if (value === undefined) continue;
    const mark = w.open(field, 64);
    w.string(1, key);
    anyValue(w, 2, value);
    w.close(mark);
  }
}

function span(w: Writer, s: ReadableSpan): void {
  const mark = w.open(2, 600);
  const context = s.spanContext();
  const parent = s.parentSpanContext;
  w.hex(1, context.traceId);
  w.hex(2, context.spanId);
  const state = context.traceState?.serialize();
  if (state) w.string(3, state);
  if (parent?.spanId) w.hex(4, parent.spanId);
  w.string(5, s.name);
  w.uint(6, s.kind + 1);
  w.time(7, s.startTime);
  w.time(8, s.endTime);
  attributes(w, 9, s.attributes);
  w.uint(10, s.droppedAttributesCount);
  for (const event of s.events) {
    const e = w.open(11, 120);
    w.time(1, event.time);
    w.string(2, event.name);
    attributes(w, 3, event.attributes);
    w.uint(4, event.droppedAttributesCount);
    w.close(e);
  }
  w.uint(12, s.droppedEventsCount);
  for (const link of s.links) {
    const l = w.open(13, 64);
    w.hex(1, link.context.traceId);
    w.hex(2, link.context.spanId);
    const linkState = link.context.traceState?.serialize();
    if (linkState) w.string(3, linkState);
    attributes(w, 4, link.attributes);
    w.uint(5, link.droppedAttributesCount);
    w.fixed32(6, spanFlags(link.context.traceFlags, link.context.isRemote));
    w.close(l);
  }
  w.uint(14, s.droppedLinksCount);
  const status = w.open(15, 8);
  if (s.status.message) w.string(2, s.status.message);
  w.uint(3, s.status.code);
  w.close(status);
  w.fixed32(16, spanFlags(context.traceFlags, parent?.isRemote));
  w.close(mark);
}

// OTLP span flags: the W3C trace flags, "has is_remote" (0x100) and "is_remote" (0x200) of the parent.
function spanFlags(traceFlags: number, remote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (remote ? 0x200 : 0);
}

/**
 * One ExportTraceServiceRequest, spans grouped by resource (object identity) and instrumentation
 * scope (name, version, schema URL), as the SDK's serializers group them.
 */
export function otlpSpansProtobuf(spans: readonly ReadableSpan[]): Uint8Array {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (scopes === undefined) byResource.set(s.resource, scopes = new Map());
    const key = `${s.instrumentationScope.name}@${s.instrumentationScope.version ?? ''}:${s.instrumentationScope.schemaUrl ?? ''}`;
    let list = scopes.get(key);
    if (list === undefined) scopes.set(key, list = []);
    list.push(s);
  }
  // About 550 bytes a span here: one allocation for the batch, seldom a second.
  const w = new Writer(spans.length * 768);
  for (const [resource, scopes] of byResource) {
    const resourceSpans = w.open(1, 0x4000);
    const r = w.open(1, 128);
    attributes(w, 1, resource.attributes);
    w.close(r);
    for (const list of scopes.values()) {
      const scope = list[0]!.instrumentationScope;
      const scopeSpans = w.open(2, 0x4000);
      const sc = w.open(1, 32);
      w.string(1, scope.name);
      if (scope.version) w.string(2, scope.version);
      w.close(sc);
      for (const s of list) span(w, s);
      if (scope.schemaUrl) w.string(3, scope.schemaUrl);
      w.close(scopeSpans);
    }
    if (resource.schemaUrl) w.string(3, resource.schemaUrl);
    w.close(resourceSpans);
  }
  return w.done();
}
