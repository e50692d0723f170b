// A small real OTLP/HTTP logs gateway for tests: POST /v1/logs (gzip or plain JSON), counts
// every received log record by its log.record.uid, keeps the raw decompressed bodies, and can be
// scripted per request: answer 429 with Retry-After, 503, 400, a partial success, take the batch
// but drop the connection before answering (lost acknowledgement), or hold the request open.
// `down()` resets every connection (the sender cannot reach it) and `up()` answers again. The port
// stays bound while down: released, another test's socket could take it before up() (EADDRINUSE).
// Scripts can apply to every request or only to those carrying audit call records (so a daemon's
// inventory, sent whenever it likes, does not use up a reply meant for a batch of calls).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpTraces } from './otlp-protobuf.ts';

export type GatewayReply =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'partial'; rejected: number; message: string }
  /** Stores the batch, then destroys the connection: the sender never sees the acknowledgement. */
  | { kind: 'drop-ack' }
  /** Stores the batch and never answers until release() (or stop()). */
  | { kind: 'hang' };

export interface ReceivedRequest {
  readonly at: number;
  readonly status: number | 'dropped' | 'hung';
  readonly uids: readonly string[];
  readonly authorization: string | undefined;
  readonly contentEncoding: string | undefined;
  /** True when the request carried audit call records (not only inventory or dropped-count records). */
  readonly audit: boolean;
}

const AUDIT_EVENT = 'mcp_switchboard.audit.call';

interface LogRecordJson { eventName?: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }
interface ExportJson { resourceLogs?: Array<{ resource?: { attributes?: Array<{ key: string; value: Record<string, unknown> }> }; scopeLogs?: Array<{ logRecords?: LogRecordJson[] }> }> }

export interface SpanJson { traceId: string; spanId: string; parentSpanId?: string; name: string; kind?: number; attributes?: Array<{ key: string; value: Record<string, unknown> }>; events?: Array<{ name: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }>; status?: { code?: number } }

export function attr(record: LogRecordJson, key: string): unknown {
  const value = record.attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? value.arrayValue;
}

export class FakeGateway {
  /** Times each uid was accepted (stored with a 2xx, or stored before a dropped acknowledgement). */
  readonly received = new Map<string, number>();
  /** Every accepted log record, in arrival order. */
  readonly records: LogRecordJson[] = [];
  readonly resources: Array<Array<{ key: string; value: Record<string, unknown> }>> = [];
  /** The raw decompressed bodies of every request, accepted or not. */
  readonly rawBodies: Buffer[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** Spans received at /v1/traces (OTLP JSON), in arrival order. */
  readonly spans: SpanJson[] = [];
  /** The content type of each traces request, in arrival order. */
  readonly traceContentTypes: string[] = [];
  private readonly script: Array<{ reply: GatewayReply; auditOnly: boolean }> = [];
  private server: Server | null = null;
  private port = 0;
  private isDown = false;
  private readonly sockets = new Set<Socket>();
  private readonly hung: ServerResponse[] = [];
  private readonly waiters = new Set<() => void>();
  expectedToken: string | undefined;
  /** Keep every record and raw body (tests); the bench turns this off to count ids only. */
  private readonly keep: boolean;

  /** Answer protobuf traces with 415, as a receiver that takes only OTLP JSON does. */
  private readonly tracesJsonOnly: boolean;

  constructor(options: { keep?: boolean; tracesJsonOnly?: boolean } = {}) {
    this.keep = options.keep ?? true;
    this.tracesJsonOnly = options.tracesJsonOnly ?? false;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<string> {
    await this.listen(port);
    return this.url;
  }

  /** Resets open connections and every new one until up(): senders cannot reach the gateway. */
  async down(): Promise<void> {
    this.isDown = true;
    for (const res of this.hung.splice(0)) res.destroy();
    for (const socket of this.sockets) socket.resetAndDestroy();
  }

  async up(): Promise<void> {
    this.isDown = false;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const res of this.hung.splice(0)) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Replies for the next requests, in order; once used up, requests get 200 {}. */
  enqueue(...replies: GatewayReply[]): void {
    this.script.push(...replies.map((reply) => ({ reply, auditOnly: false })));
  }

  /** Like enqueue(), but these replies go only to requests carrying audit call records; others get 200 meanwhile. */
  enqueueForAudit(...replies: GatewayReply[]): void {
    this.script.push(...replies.map((reply) => ({ reply, auditOnly: true })));
  }

  /** Answers every hung request with 200. */
  release(): void {
    for (const res of this.hung.splice(0)) if (!res.destroyed) this.reply(res, 200, '{}');
  }

  get hungCount(): number {
    return this.hung.length;
  }

  uniqueCount(): number {
    return this.received.size;
  }

  duplicates(): string[] {
    return [...this.received].filter(([, n]) => n > 1).map(([uid]) => uid);
  }

  /** Resolves when `predicate` holds (checked after each request), or rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 20_000, what = 'gateway condition'): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (received ${this.received.size} unique records, ${this.requests.length} requests)`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      if (this.isDown) {
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** OTLP/HTTP traces (POST /v1/traces), protobuf or JSON by content type: every span received. */
  private takeSpans(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
    const protobuf = (req.headers['content-type'] ?? '').startsWith('application/x-protobuf');
    this.traceContentTypes.push(String(req.headers['content-type'] ?? ''));
    if (protobuf && this.tracesJsonOnly) {
      this.reply(res, 415, '{"error":"only application/json"}');
      return;
    }
    try {
      const parsed = protobuf
        ? decodeOtlpTraces(raw)
        : JSON.parse(raw.toString('utf8')) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: SpanJson[] }> }> };
      for (const rs of parsed.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) this.spans.push(...(ss.spans ?? []));
    } catch {
      this.reply(res, 400, `{"error":"not OTLP ${protobuf ? 'protobuf' : 'JSON'}"}`);
      return;
    }
    if (protobuf) {
      // An empty ExportTraceServiceResponse.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      return;
    }
    this.reply(res, 200, '{}');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && req.url === '/v1/traces') return this.takeSpans(req, res, Buffer.concat(chunks));
    if (req.method !== 'POST' || req.url !== '/v1/logs') {
      this.reply(res, 404, '{}');
      return;
    }
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    if (this.keep) this.rawBodies.push(raw);
    let body: ExportJson = {};
    let logRecords: LogRecordJson[] = [];
    let uids: string[];
    if (this.keep) {
      try {
        body = JSON.parse(raw.toString('utf8')) as ExportJson;
      } catch {
        this.reply(res, 400, '{"error":"not JSON"}');
        return;
      }
      logRecords = (body.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => sl.logRecords ?? []));
      uids = logRecords.map((r) => String(attr(r, 'log.record.uid')));
    } else {
      // Bench mode: count ids without building the whole tree (the gateway's cost is not ours to measure).
      uids = [...raw.toString('utf8').matchAll(/"key":"log\.record\.uid","value":\{"stringValue":"([^"]+)"/g)].map((m) => m[1]!);
    }
    const audit = this.keep ? logRecords.some((r) => r.eventName === AUDIT_EVENT) : raw.includes(`"eventName":"${AUDIT_EVENT}"`);
    const base = { at: Date.now(), uids: this.keep ? uids : [], authorization: req.headers.authorization, contentEncoding: req.headers['content-encoding'], audit };
    if (this.expectedToken !== undefined && req.headers.authorization !== `Bearer ${this.expectedToken}`) {
      this.requests.push({ ...base, status: 401 });
      this.reply(res, 401, '{"error":"bad token"}');
      return;
    }
    const head = this.script[0];
    const reply = head && (!head.auditOnly || audit) ? this.script.shift()!.reply : undefined;
    const accept = (): void => {
      for (const uid of uids) this.received.set(uid, (this.received.get(uid) ?? 0) + 1);
      if (!this.keep) return;
      for (const record of logRecords) this.records.push(record);
      for (const rl of body.resourceLogs ?? []) this.resources.push(rl.resource?.attributes ?? []);
    };
    if (!reply) {
      accept();
      this.requests.push({ ...base, status: 200 });
      this.reply(res, 200, '{}');
    } else if (reply.kind === 'status') {
      if (reply.status >= 200 && reply.status < 300) accept();
      this.requests.push({ ...base, status: reply.status });
      this.reply(res, reply.status, reply.body ?? '{}', reply.retryAfter);
    } else if (reply.kind === 'partial') {
      accept();
      this.requests.push({ ...base, status: 200 });
      this.reply(res, 200, JSON.stringify({ partialSuccess: { rejectedLogRecords: String(reply.rejected), errorMessage: reply.message } }));
    } else if (reply.kind === 'drop-ack') {
      accept();
      this.requests.push({ ...base, status: 'dropped' });
      req.socket.destroy();
    } else {
      accept();
      this.requests.push({ ...base, status: 'hung' });
      this.hung.push(res);
    }
    this.notify();
  }

  private reply(res: ServerResponse, status: number, body: string, retryAfter?: string): void {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    res.writeHead(status, headers);
    res.end(body);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
