// The server side of one MCP Streamable HTTP session (spec 2025-03-26 … 2025-11-25), working
// directly on node:http requests. It replaces the SDK's StreamableHTTPServerTransport, whose
// Request/Response/web-stream conversions and zod validation per message were most of the daemon's
// CPU per call. http-endpoint.ts authenticates, checks Host/Origin, reads and parses the body and
// finds the session; this class does the rest of the protocol:
//   POST   notifications/responses only → 202; with requests → an SSE stream carrying every message
//          related to those requests, ended once all of their responses are written, except that
//          a lone request (not in a batch) whose response is its first and only message gets it
//          as a JSON body.
//   GET    the standalone SSE stream for messages related to no request (one at a time).
//   DELETE ends the session.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { adoptTraceparentHeader } from '../observability/traceparent-header.ts';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../base/ndjson.ts';
import { sendJson } from './http-guard.ts';

/** The version a server assumes when a client sends no MCP-Protocol-Version header. */
const ASSUMED_PROTOCOL_VERSION = '2025-03-26';
/** JSON-RPC batches were removed from the protocol in this version. */
const NO_BATCHES_FROM = '2025-06-18';
const MAX_BATCH_SIZE = 100;
const DEFAULT_KEEP_ALIVE_MS = 15_000;
/**
 * A POST stream's headers wait for its first event (usually the response, which then goes out
 * with them in one write) at most this long, so a slow request still gets its headers early.
 */
const HEADERS_AT_LATEST_MS = 1000;

interface SseStream {
  res: ServerResponse;
  /** Requests of this stream still waiting for their response (POST streams only). */
  pending: Set<RequestId> | undefined;
  /** A POST of one message (not a batch), whose response may go back as a JSON body. */
  single: boolean;
  /** Events of this tick not yet written: one write per tick however many messages there are. */
  queued: string | undefined;
  done: boolean;
  /** Sends the headers of a quiet stream, then keeps idle connections from timing out. */
  timer: NodeJS.Timeout | undefined;
  keepAliveMs: number;
}

export interface StreamableHttpTransportOptions {
  sessionId: string;
  /** Interval of SSE comments on quiet streams (default 15 s); the first one also flushes the headers. */
  keepAliveMs?: number;
}

export class StreamableHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly sessionId: string;

  private readonly keepAliveMs: number;
  private readonly byRequest = new Map<RequestId, SseStream>();
  private standalone: SseStream | undefined;
  private initializeId: RequestId | undefined;
  private negotiatedVersion: string | undefined;
  private isInitialized = false;
  private closed = false;

  constructor(options: StreamableHttpTransportOptions) {
    this.sessionId = options.sessionId;
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  }

  /** Whether an initialize request was accepted (a refused one leaves the session unusable). */
  get initialized(): boolean {
    return this.isInitialized;
  }

  /** The protocol version the server answered initialize with, once it has. */
  get protocolVersion(): string | undefined {
    return this.negotiatedVersion;
  }

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.negotiatedVersion = version;
  }

  /** Answers one HTTP request of this session; `body` is the parsed JSON of a POST. */
  handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): void {
    if (this.closed) return rpcError(res, 404, -32001, 'Session not found');
    switch (req.method) {
      case 'POST':
        return this.handlePost(req, res, body);
      case 'GET':
        return this.handleGet(req, res);
      case 'DELETE':
        return this.handleDelete(req, res);
      default:
        return rpcError(res, 405, -32000, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = !('method' in message);
    const requestId = isResponse ? (message as { id: RequestId }).id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isResponse) throw new Error('Cannot send a response on the standalone SSE stream');
      const standalone = this.standalone;
      // Without an open GET stream the spec leaves nowhere to put it (as the SDK's transport does).
      if (standalone !== undefined && !standalone.done) writeEvent(standalone, message);
      return;
    }
    const stream = this.byRequest.get(requestId);
    if (stream === undefined || stream.done) {
      // The relay then tries the standalone stream for messages that are not responses.
      throw new Error(`No open stream for request ${String(requestId)}`);
    }
    if (!isResponse) {
      writeEvent(stream, message);
      return;
    }
    if (requestId === this.initializeId) this.noteInitializeResult(message);
    this.byRequest.delete(requestId);
    stream.pending!.delete(requestId);
    if (stream.pending!.size > 0) {
      writeEvent(stream, message);
      return;
    }
    if (stream.single && stream.queued === undefined && !stream.res.headersSent) return this.finishAsJson(stream, message);
    this.finishStream(stream, eventText(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of new Set(this.byRequest.values())) this.finishStream(stream);
    this.byRequest.clear();
    if (this.standalone) this.finishStream(this.standalone);
    this.standalone = undefined;
    this.onclose?.();
  }

  // ── POST ───────────────────────────────────────────────────────────────────────────────

  private handlePost(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const accept = req.headers.accept;
    if (accept === undefined || !accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return rpcError(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      return rpcError(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }

    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as unknown[];
    if (messages.length === 0) return rpcError(res, 400, -32600, 'Invalid Request: empty batch');
    if (messages.length > MAX_BATCH_SIZE) return rpcError(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
    let initialize: { id: RequestId; params?: { protocolVersion?: unknown } } | undefined;
    let hasRequests = false;
    for (const message of messages) {
      if (!isJsonRpcMessage(message)) {
        return rpcError(res, 400, -32600, 'Invalid Request: expected a JSON-RPC 2.0 message ({"jsonrpc":"2.0", "method"|"result"|"error", ...})', undefined, idOf(message));
      }
      if ('method' in message && 'id' in message) {
        hasRequests = true;
        if (message.method === 'initialize') initialize = message as typeof initialize;
      }
    }

    if (initialize !== undefined) {
      if (this.isInitialized) return rpcError(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (messages.length > 1) return rpcError(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      this.isInitialized = true;
      this.initializeId = initialize.id;
    } else {
      if (!this.isInitialized) return rpcError(res, 400, -32000, 'Bad Request: Server not initialized');
      const versionError = checkProtocolVersion(req);
      if (versionError !== undefined) return rpcError(res, 400, -32000, versionError);
      if (batch) {
        const version = (req.headers['mcp-protocol-version'] as string | undefined) ?? ASSUMED_PROTOCOL_VERSION;
        if (version >= NO_BATCHES_FROM) return rpcError(res, 400, -32600, `Invalid Request: protocol version ${version} does not allow JSON-RPC batches; send one message per POST`);
      }
    }

    const dispatch = messages as JSONRPCMessage[];
    if (!hasRequests) {
      res.writeHead(202).end();
      for (const message of dispatch) this.onmessage?.(message);
      return;
    }

    const stream: SseStream = { res, pending: new Set(), single: !batch, queued: undefined, done: false, timer: undefined, keepAliveMs: this.keepAliveMs };
    for (const message of dispatch) {
      if ('method' in message && 'id' in message) {
        stream.pending!.add(message.id);
        this.byRequest.set(message.id, stream);
      }
    }
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    res.setHeader('mcp-session-id', this.sessionId);
    res.once('close', () => this.dropStream(stream));
    stream.timer = setTimeout(keepAlive, Math.min(HEADERS_AT_LATEST_MS, this.keepAliveMs), stream);
    stream.timer.unref();
    for (const message of dispatch) {
      if (this.closed) break;
      this.onmessage?.(req.headers.traceparent === undefined ? message : adoptTraceparentHeader(message, req.headers));
    }
  }

  private noteInitializeResult(message: JSONRPCMessage): void {
    this.initializeId = undefined;
    const version = (message as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
    if (typeof version === 'string') this.negotiatedVersion = version;
  }

  // ── GET, DELETE ────────────────────────────────────────────────────────────────────────

  private handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (!req.headers.accept?.includes('text/event-stream')) {
      return rpcError(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (!this.isInitialized) return rpcError(res, 400, -32000, 'Bad Request: Server not initialized');
    const versionError = checkProtocolVersion(req);
    if (versionError !== undefined) return rpcError(res, 400, -32000, versionError);
    if (this.standalone !== undefined && !this.standalone.done) {
      return rpcError(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    }
    const stream: SseStream = { res, pending: undefined, single: false, queued: undefined, done: false, timer: undefined, keepAliveMs: this.keepAliveMs };
    this.standalone = stream;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'mcp-session-id': this.sessionId,
    });
    res.flushHeaders();
    res.once('close', () => this.dropStream(stream));
    stream.timer = setTimeout(keepAlive, this.keepAliveMs, stream);
    stream.timer.unref();
  }

  private handleDelete(req: IncomingMessage, res: ServerResponse): void {
    const versionError = checkProtocolVersion(req);
    if (versionError !== undefined) return rpcError(res, 400, -32000, versionError);
    res.writeHead(200).end();
    void this.close();
  }

  // ── streams ────────────────────────────────────────────────────────────────────────────

  /** Ends a stream we are done with, writing `last` first when given. */
  private finishStream(stream: SseStream, last?: string): void {
    if (stream.done) return;
    stream.done = true;
    clearTimeout(stream.timer);
    const res = stream.res;
    const text = (stream.queued ?? '') + (last ?? '');
    stream.queued = undefined;
    if (res.destroyed || res.writableEnded) return;
    if (text === '') {
      res.end();
    } else if (!res.headersSent) {
      // Most POSTs carry one request and get nothing but its response: headers and body go out
      // in one write, with a length instead of chunked framing.
      res.setHeader('content-length', Buffer.byteLength(text));
      res.end(text);
    } else {
      res.end(text);
    }
  }

  /**
   * A POST whose only message is its response (the usual tools/call) gets it as one JSON body: the
   * spec lets the server choose per request, and clients parse JSON far more cheaply than SSE.
   */
  private finishAsJson(stream: SseStream, message: JSONRPCMessage): void {
    stream.done = true;
    clearTimeout(stream.timer);
    const res = stream.res;
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(message);
    res.setHeader('content-type', 'application/json');
    res.removeHeader('cache-control');
    res.removeHeader('x-accel-buffering');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  }

  /** The client went away (or the stream ended): forget it so later sends reject. */
  private dropStream(stream: SseStream): void {
    if (stream === this.standalone) this.standalone = undefined;
    if (!stream.done) {
      stream.done = true;
      clearTimeout(stream.timer);
    }
    if (stream.pending) {
      for (const id of stream.pending) if (this.byRequest.get(id) === stream) this.byRequest.delete(id);
      stream.pending.clear();
    }
  }
}

function eventText(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * Queues an event and writes the tick's events at once on the next tick (the coalescing of
 * writeCoalesced in ndjson.ts, done by hand: corking a ServerResponse and ending it in the same
 * tick loses the corked data on Node 24).
 */
function writeEvent(stream: SseStream, message: JSONRPCMessage): void {
  const text = eventText(message);
  if (stream.queued === undefined) {
    stream.queued = text;
    process.nextTick(flushQueued, stream);
  } else {
    stream.queued += text;
  }
}

function flushQueued(stream: SseStream): void {
  const text = stream.queued;
  stream.queued = undefined;
  if (text === undefined || stream.done || stream.res.destroyed) return;
  stream.res.write(text);
}

function keepAlive(stream: SseStream): void {
  if (stream.done) return;
  const res = stream.res;
  if (!res.headersSent) {
    res.flushHeaders();
    stream.timer = setTimeout(keepAlive, stream.keepAliveMs, stream);
    stream.timer.unref();
    return;
  }
  if (stream.queued === undefined) res.write(': keepalive\n\n');
  stream.timer?.refresh();
}

/** Why the MCP-Protocol-Version header is unacceptable, or undefined (absent means 2025-03-26). */
function checkProtocolVersion(req: IncomingMessage): string | undefined {
  const version = req.headers['mcp-protocol-version'];
  if (version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version))) return undefined;
  return `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>, id: RequestId | null = null): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id }, headers);
}

function idOf(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
