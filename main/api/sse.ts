// GET /api/events: the event hub as Server-Sent Events for the web UI. Same bearer token as
// /api/<method> (the page reads the stream with fetch, so the token travels in a header and
// never in a URL). Host must be loopback (DNS rebinding); a foreign Origin is refused.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventHub } from './events.ts';

export interface EventStreamOptions {
  readonly hub: EventHub;
  /** The API token (from <dataDir>/daemon.json), or a getter when it can rotate. */
  readonly token: string | (() => string);
  /** Keep-alive comment interval; proxies and browsers drop idle streams. */
  readonly keepAliveMs?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

export function createEventStreamHandler(options: EventStreamOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const expectedToken = typeof options.token === 'function' ? options.token : () => options.token as string;

  return (req, res) => {
    if (req.method !== 'GET') return refuse(res, 405, 'invalid_input', 'use GET /api/events');
    if (!isLoopbackHost(req.headers.host)) return refuse(res, 403, 'forbidden', 'Host must be 127.0.0.1 or localhost');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost !== req.headers.host) return refuse(res, 403, 'forbidden', `Origin ${origin} is not this daemon`);
    }
    const auth = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match || !sameToken(match[1]!, expectedToken())) {
      return refuse(res, 401, 'forbidden', 'missing or wrong API token (Authorization: Bearer <token from daemon.json>)');
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const unsubscribe = options.hub.subscribe((message) => {
      res.write(`event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();
    const close = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
    };
    req.on('close', close);
    res.on('close', close);
  };
}

/** The route to mount on the daemon's HTTP endpoint (`routes` option of Daemon). */
export function eventStreamRoute(hub: EventHub, token: () => string): { prefix: string; handler: (req: IncomingMessage, res: ServerResponse) => void } {
  return { prefix: '/api/events', handler: createEventStreamHandler({ hub, token }) };
}
