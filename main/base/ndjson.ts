// Newline-delimited JSON-RPC framing shared by the socket and child-process transports. Lines
// have a hard size limit: an oversize line is discarded (never buffered whole) and reported
// with a guess at its id, so the sender gets an error instead of waiting forever.
import type { Writable } from 'node:stream';
import type { JSONRPCErrorResponse, JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ProxyErrorCode } from './proxy-error-codes.ts';
import { noteWireSize } from './wire-size.ts';

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export type LineProblem =
  | { kind: 'oversize'; bytes: number; limit: number; id: RequestId | null }
  | { kind: 'parse'; text: string; detail: string }
  | { kind: 'invalid'; value: unknown; id: RequestId | null };

export interface LineReaderHandlers {
  message(message: JSONRPCMessage): void;
  problem(problem: LineProblem): void;
}

const NEWLINE = 0x0a;
const ID_PATTERN = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})/;

export class LineReader {
  private readonly limit: number;
  private readonly handlers: LineReaderHandlers;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Set while skipping the rest of an oversize line. */
  private discarding: { bytes: number; head: string } | undefined;

  constructor(handlers: LineReaderHandlers, limit = DEFAULT_MAX_MESSAGE_BYTES) {
    this.handlers = handlers;
    this.limit = limit;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.discarding) {
        this.discarding.bytes += end - start;
      } else if (this.buffered + (end - start) > this.limit) {
        const head = Buffer.concat([...this.chunks, chunk.subarray(start, Math.min(end, start + 512))]).subarray(0, 512).toString('utf8');
        this.discarding = { bytes: this.buffered + (end - start), head };
        this.chunks = [];
        this.buffered = 0;
      } else if (end > start) {
        this.chunks.push(newline === -1 ? Buffer.from(chunk.subarray(start, end)) : chunk.subarray(start, end));
        this.buffered += end - start;
      }
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  private endLine(): void {
    if (this.discarding) {
      const { bytes, head } = this.discarding;
      this.discarding = undefined;
      this.handlers.problem({ kind: 'oversize', bytes, limit: this.limit, id: guessId(head) });
      return;
    }
    if (this.buffered === 0) return;
    const bytes = this.buffered;
    const line = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks, this.buffered).toString('utf8');
    this.chunks = [];
    this.buffered = 0;
    this.parseLine(line, bytes);
  }

  private parseLine(line: string, bytes: number): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.handlers.problem({ kind: 'parse', text: text.slice(0, 200), detail: (error as Error).message });
      return;
    }
    if (isJsonRpcMessage(value)) {
      noteWireSize(value, bytes);
      this.handlers.message(value);
    }
    else this.handlers.problem({ kind: 'invalid', value, id: idOf(value) });
  }
}

/** A cheap structural check; the SDK's zod schema is too slow for the hot path. */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (v.jsonrpc !== '2.0') return false;
  if (typeof v.method === 'string') return v.id === undefined || typeof v.id === 'string' || typeof v.id === 'number';
  return (typeof v.id === 'string' || typeof v.id === 'number' || v.id === null) && ('result' in v || 'error' in v);
}

function idOf(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function guessId(head: string): RequestId | null {
  const match = ID_PATTERN.exec(head);
  if (!match) return null;
  try {
    const id = JSON.parse(match[1]!) as unknown;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** The JSON-RPC error answering a line that could not be used. */
export function problemResponse(problem: LineProblem): JSONRPCErrorResponse {
  switch (problem.kind) {
    case 'oversize':
      return errorResponse(problem.id, ProxyErrorCode.MessageTooLarge,
        `message of ${problem.bytes} bytes exceeds the ${formatBytes(problem.limit)} limit per message; it was discarded`);
    case 'parse':
      return errorResponse(null, -32700, `Parse error: the line is not JSON (${problem.detail})`);
    case 'invalid':
      return errorResponse(problem.id, -32600, 'Invalid Request: expected a JSON-RPC 2.0 message ({"jsonrpc":"2.0", "method"|"result"|"error", ...})');
  }
}

export function errorResponse(id: RequestId | null, code: number, message: string, data?: unknown): JSONRPCErrorResponse {
  // JSON-RPC allows a null id for errors about requests whose id is unknown; the SDK type does not.
  return { jsonrpc: '2.0', id: id as RequestId, error: data === undefined ? { code, message } : { code, message, data } };
}

export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export function serialize(message: JSONRPCMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Writes a message, coalescing every write of the same tick into one system call (cork until the
 * next tick, then writev). Under concurrent load this halves the wake-ups of the process on the
 * other end of the pipe, which is where the relay spent most of its time.
 */
export function writeCoalesced(stream: Writable, text: string): void {
  if (!stream.writableCorked) {
    stream.cork();
    process.nextTick(uncork, stream);
  }
  stream.write(text);
}

function uncork(stream: Writable): void {
  stream.uncork();
}
