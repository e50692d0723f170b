// Decodes an OTLP/HTTP protobuf traces request (ExportTraceServiceRequest of opentelemetry-proto,
// trace/v1/trace.proto and common/v1/common.proto) into the OTLP JSON shape (hex ids, nanosecond
// strings, {key, value: {stringValue…}} attributes), so a test reads protobuf as it reads JSON.
// A plain wire-format reader: varints, fixed32/64 and length-delimited fields, by field number.

type Fields = Map<number, Array<number | bigint | Buffer>>;

function readFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: number | bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = buf.readBigUInt64LE(pos);
      pos += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      if (pos + length > buf.length) throw new Error('truncated length-delimited field');
      value = buf.subarray(pos, pos + length);
      pos += length;
    } else if (wire === 5) {
      value = buf.readUInt32LE(pos);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

const bytes = (f: Fields, n: number) => f.get(n) as Buffer[] | undefined;
const first = (f: Fields, n: number) => f.get(n)?.[0];
const text = (f: Fields, n: number) => (bytes(f, n)?.[0])?.toString('utf8');
const hex = (f: Fields, n: number) => (bytes(f, n)?.[0])?.toString('hex');
const num = (f: Fields, n: number) => {
  const v = first(f, n);
  return v === undefined ? undefined : Number(v);
};

function anyValue(buf: Buffer): Record<string, unknown> {
  const f = readFields(buf);
  if (f.has(1)) return { stringValue: text(f, 1) };
  if (f.has(2)) return { boolValue: first(f, 2) === 1n };
  if (f.has(3)) return { intValue: BigInt.asIntN(64, first(f, 3) as bigint).toString() };
  if (f.has(4)) {
    const raw = first(f, 4) as bigint;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(raw);
    return { doubleValue: b.readDoubleLE(0) };
  }
  if (f.has(5)) return { arrayValue: { values: (bytes(readFields(bytes(f, 5)![0]!), 1) ?? []).map(anyValue) } };
  return {};
}

function keyValues(list: Buffer[] | undefined): Array<{ key: string; value: Record<string, unknown> }> {
  return (list ?? []).map((kv) => {
    const f = readFields(kv);
    return { key: text(f, 1) ?? '', value: bytes(f, 2) ? anyValue(bytes(f, 2)![0]!) : {} };
  });
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  droppedAttributesCount: number;
  events: Array<{ timeUnixNano: string; name: string; attributes: Array<{ key: string; value: Record<string, unknown> }>; droppedAttributesCount: number }>;
  droppedEventsCount: number;
  links: Array<{ traceId: string; spanId: string; attributes: Array<{ key: string; value: Record<string, unknown> }>; flags: number }>;
  droppedLinksCount: number;
  status: { code: number; message?: string };
  flags: number;
}

function decodeSpan(buf: Buffer): DecodedSpan {
  const f = readFields(buf);
  const statusFields = bytes(f, 15) ? readFields(bytes(f, 15)![0]!) : new Map();
  const parent = hex(f, 4);
  const state = text(f, 3);
  const message = text(statusFields, 2);
  return {
    traceId: hex(f, 1) ?? '',
    spanId: hex(f, 2) ?? '',
    ...(parent ? { parentSpanId: parent } : {}),
    ...(state ? { traceState: state } : {}),
    name: text(f, 5) ?? '',
    kind: num(f, 6) ?? 0,
    startTimeUnixNano: String(first(f, 7) ?? 0n),
    endTimeUnixNano: String(first(f, 8) ?? 0n),
    attributes: keyValues(bytes(f, 9)),
    droppedAttributesCount: num(f, 10) ?? 0,
    events: (bytes(f, 11) ?? []).map((event) => {
      const e = readFields(event);
      return { timeUnixNano: String(first(e, 1) ?? 0n), name: text(e, 2) ?? '', attributes: keyValues(bytes(e, 3)), droppedAttributesCount: num(e, 4) ?? 0 };
    }),
    droppedEventsCount: num(f, 12) ?? 0,
    links: (bytes(f, 13) ?? []).map((link) => {
      const l = readFields(link);
      return { traceId: hex(l, 1) ?? '', spanId: hex(l, 2) ?? '', attributes: keyValues(bytes(l, 4)), flags: num(l, 6) ?? 0 };
    }),
    droppedLinksCount: num(f, 14) ?? 0,
    status: { code: num(statusFields, 3) ?? 0, ...(message ? { message } : {}) },
    flags: num(f, 16) ?? 0,
  };
}

export interface DecodedTraces {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> };
    scopeSpans: Array<{ scope: { name: string; version?: string }; spans: DecodedSpan[] }>;
  }>;
}

export function decodeOtlpTraces(body: Buffer | Uint8Array): DecodedTraces {
  const request = readFields(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  return {
    resourceSpans: (bytes(request, 1) ?? []).map((rs) => {
      const r = readFields(rs);
      const resource = bytes(r, 1) ? readFields(bytes(r, 1)![0]!) : new Map();
      return {
        resource: { attributes: keyValues(bytes(resource, 1)) },
        scopeSpans: (bytes(r, 2) ?? []).map((ss) => {
          const s = readFields(ss);
          const scope = bytes(s, 1) ? readFields(bytes(s, 1)![0]!) : new Map();
          const version = text(scope, 2);
          return { scope: { name: text(scope, 1) ?? '', ...(version ? { version } : {}) }, spans: (bytes(s, 2) ?? []).map(decodeSpan) };
        }),
      };
    }),
  };
}
