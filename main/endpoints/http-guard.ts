// The checks every request to the loopback HTTP endpoint passes first: Host and Origin must be
// this machine (DNS rebinding), bearer tokens compare in constant time by their SHA-256.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Refusal {
  status: number;
  error: string;
  why: string;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Host must name a loopback address with this endpoint's port. */
export function checkHost(host: string | undefined, port: number): Refusal | undefined {
  const allowed = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  if (host !== undefined && allowed.includes(host.toLowerCase())) return undefined;
  return {
    status: 403,
    error: 'forbidden host',
    why: `the Host header ${host === undefined ? 'is missing' : `"${host}"`} is not this machine's loopback endpoint; connect to http://127.0.0.1:${port}/ (requests through other host names are refused to block DNS rebinding)`,
  };
}

/** A present Origin must be a loopback origin (a web page elsewhere must not reach the daemon). */
export function checkOrigin(origin: string | undefined): Refusal | undefined {
  if (origin === undefined) return undefined;
  let hostname: string | undefined;
  try {
    const url = new URL(origin);
    if (url.protocol === 'http:' || url.protocol === 'https:') hostname = url.hostname.toLowerCase();
  } catch {
    hostname = undefined;
  }
  if (hostname !== undefined && (hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]')) return undefined;
  return {
    status: 403,
    error: 'forbidden origin',
    why: `requests from the web origin "${origin}" are refused; only local clients and the app's own pages (http://127.0.0.1) may call the daemon`,
  };
}

/** decodeURIComponent, or undefined for a malformed escape (a client error, never a 500). */
export function decodePathPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The token after "Bearer ", or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Compares SHA-256 digests (hex) in constant time. */
export function sameDigest(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function refuse(res: ServerResponse, refusal: Refusal, headers: Record<string, string> = {}): void {
  sendJson(res, refusal.status, { error: refusal.error, why: refusal.why }, headers);
}

export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.limit = limit;
  }
}

/** Reads the whole body up to `limit` bytes; rejects with BodyTooLargeError beyond it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}
