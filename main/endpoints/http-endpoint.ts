// The loopback HTTP endpoint: Streamable HTTP at /mcp/<server> (a bearer token per client),
// the app API at /api/<method> (the per-start API token), routes other parts add, and the web
// UI's static files. Every request first passes the Host/Origin checks.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { ApiErrorBody, Caller } from '../../shared/api/define.ts';
import { UI_CSP, contentTypeFor } from '../../shared/ui-files.ts';
import type { ClientToken } from '../../shared/config.ts';
import type { Logger } from '../base/logger.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, formatBytes } from '../base/ndjson.ts';
import type { RelayHub } from '../relay/relay-hub.ts';
import type { RelaySession } from '../relay/relay-session.ts';
import { noteWireSize } from '../base/wire-size.ts';
import { AdmissionError, ServerNotFoundError } from '../servers/supervisor.ts';
import { BodyTooLargeError, bearerToken, checkHost, checkOrigin, readBody, refuse, sameDigest, sendJson, sha256Hex } from './http-guard.ts';
import { StreamableHttpTransport } from './streamable-http-transport.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Runs one API call; the daemon wires it to an ApiDispatcher. */
export type ApiCall = (method: string, input: unknown, caller: Caller) => Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorBody }>;

export interface HttpEndpointOptions {
  hub: RelayHub;
  logger: Logger;
  /** The client tokens (sha256) from config.json, read per request so new tokens work at once. */
  tokens: () => readonly ClientToken[];
  /** Bearer token for /api (random per daemon start). */
  apiToken: string;
  api?: ApiCall;
  /** Folder of the web UI's built files, served at / (GET). */
  staticRoot?: string;
  maxBodyBytes?: number;
  host?: string;
  /** Close an MCP session with no request or stream open for this long (default 30 min). */
  sessionIdleMs?: number;
}

interface McpSession {
  serverId: string;
  /** The config digest of the client token that opened the session: only that token may use it. */
  tokenSha256: string;
  transport: StreamableHttpTransport;
  relay: RelaySession | undefined;
  /** HTTP requests (including open SSE streams) in progress. */
  active: number;
  lastActivity: number;
}

const API_STATUS: Record<ApiErrorBody['code'], number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
  internal: 500,
};

export class HttpEndpoint {
  private readonly hub: RelayHub;
  private readonly logger: Logger;
  private readonly tokens: () => readonly ClientToken[];
  private readonly apiTokenDigest: string;
  private readonly api: ApiCall | undefined;
  private staticRoot: string | undefined;
  private readonly maxBodyBytes: number;
  private readonly host: string;
  private readonly routes: Array<{ prefix: string; handler: RouteHandler }> = [];
  private readonly sessions = new Map<string, McpSession>();
  private server: Server | undefined;
  private boundPort = 0;
  private readonly sessionIdleMs: number;
  private idleSweep: NodeJS.Timeout | undefined;
  /** SHA-256 of bearer tokens that matched a client token (only those, so the map stays small). */
  private readonly tokenDigests = new Map<string, string>();
  /** /mcp responses not yet finished (streams included), so close() can let the last answers out. */
  private openMcpResponses = 0;

  constructor(options: HttpEndpointOptions) {
    this.hub = options.hub;
    this.logger = options.logger;
    this.tokens = options.tokens;
    this.apiTokenDigest = sha256Hex(options.apiToken);
    this.api = options.api;
    this.staticRoot = options.staticRoot;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.host = options.host ?? '127.0.0.1';
    this.sessionIdleMs = options.sessionIdleMs ?? 30 * 60_000;
  }

  get port(): number {
    return this.boundPort;
  }

  /**
   * Adds a route behind the Host/Origin checks: requests whose path equals `prefix` or starts
   * with `prefix/` go to `handler` (which does its own authentication). Checked before /api/.
   */
  route(prefix: string, handler: RouteHandler): void {
    this.routes.push({ prefix: prefix.replace(/\/+$/, ''), handler });
  }

  setStaticRoot(folder: string | undefined): void {
    this.staticRoot = folder;
  }

  async listen(port: number): Promise<number> {
    // noDelay: SSE events are small writes that must not wait for the previous segment's ACK.
    const server = createServer({ noDelay: true }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.logger.error('HTTP request failed', { url: req.url, error });
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error', why: (error as Error).message });
        else res.end();
      });
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    // Clients that vanish without DELETE would otherwise keep their upstream process forever.
    this.idleSweep = setInterval(() => this.closeIdleSessions(), Math.min(60_000, this.sessionIdleMs));
    this.idleSweep.unref();
    return this.boundPort;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    clearInterval(this.idleSweep);
    await Promise.allSettled([...this.sessions.values()].map((session) => session.relay?.close()));
    this.sessions.clear();
    if (!server) return;
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    // The sessions' last answers (a shutdown's errors) were written as their streams ended; let
    // them reach the clients before the connections are cut, for a second at most.
    const deadline = Date.now() + 1000;
    while (this.openMcpResponses > 0 && Date.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 10));
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostRefusal = checkHost(req.headers.host, this.boundPort);
    if (hostRefusal) return refuse(res, hostRefusal);
    const originRefusal = checkOrigin(req.headers.origin);
    if (originRefusal) return refuse(res, originRefusal);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.boundPort}`);
    const path = url.pathname;

    if (path.startsWith('/mcp/')) return this.handleMcp(req, res, decodeURIComponent(path.slice('/mcp/'.length).replace(/\/+$/, '')));
    for (const route of this.routes) {
      if (path === route.prefix || path.startsWith(`${route.prefix}/`)) return route.handler(req, res, url);
    }
    if (path.startsWith('/api/')) return this.handleApi(req, res, path.slice('/api/'.length));
    if (this.staticRoot && (req.method === 'GET' || req.method === 'HEAD')) return this.serveStatic(res, path);
    return refuse(res, { status: 404, error: 'not found', why: `nothing at ${path}; MCP clients connect to /mcp/<server-id>` });
  }

  // ── /mcp/<server> ──────────────────────────────────────────────────────────────────────

  private authenticateClient(req: IncomingMessage): { name: string; sha256: string } | { refusal: { status: number; error: string; why: string } } {
    const token = bearerToken(req);
    if (token === undefined) {
      return { refusal: { status: 401, error: 'missing token', why: 'send "Authorization: Bearer <token>"; create a token with `switchboard token create <client-name>` (or link the client in the app)' } };
    }
    // Hashing the token is a visible share of a call's cost, so a token's digest is remembered;
    // the current token list is still checked on every request (a revoked token stops at once).
    let digest = this.tokenDigests.get(token);
    if (digest === undefined) {
      digest = sha256Hex(token);
      if (this.tokenDigests.size >= 256) this.tokenDigests.clear();
    }
    let match: ClientToken | undefined;
    for (const candidate of this.tokens()) if (sameDigest(digest, candidate.sha256)) match = candidate;
    if (match) this.tokenDigests.set(token, digest);
    if (!match) return { refusal: { status: 401, error: 'invalid token', why: 'the bearer token is not one this daemon issued (it may have been revoked); create a new one with `switchboard token create <client-name>`' } };
    return { name: match.name, sha256: match.sha256 };
  }

  private async handleMcp(req: IncomingMessage, res: ServerResponse, serverId: string): Promise<void> {
    const auth = this.authenticateClient(req);
    if ('refusal' in auth) return refuse(res, auth.refusal, { 'www-authenticate': 'Bearer realm="mcp-switchboard"' });

    let body: unknown;
    if (req.method === 'POST') {
      try {
        const raw = await readBody(req, this.maxBodyBytes);
        body = JSON.parse(raw.toString('utf8'));
        if (typeof body === 'object' && body !== null && !Array.isArray(body)) noteWireSize(body, raw.length);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          return refuse(res, { status: 413, error: 'message too large', why: `the request body exceeds the ${formatBytes(error.limit)} limit per message` });
        }
        return sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: the body is not JSON (${(error as Error).message})` } });
      }
    }

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      // A session answers only the token that opened it (its calls are audited under that
      // token's name). Another client's token gets the same 404 as an unknown session: no
      // oracle for which session ids exist, and per the spec the client recovers by opening a
      // session of its own.
      const foreign = session !== undefined && session.serverId === serverId && session.tokenSha256 !== auth.sha256;
      if (!session || session.serverId !== serverId || foreign) {
        if (foreign) this.logger.warn('refused a request on an MCP session opened with another client token', { server: serverId, session: sessionId, label: auth.name });
        return refuse(res, { status: 404, error: 'unknown session', why: `MCP session ${sessionId} is not open for server '${serverId}' with this token (the daemon may have restarted); initialize a new session` });
      }
      this.track(session, res);
      session.transport.handleRequest(req, res, body);
      return;
    }

    if (req.method !== 'POST' || !containsInitialize(body)) {
      try {
        await this.hub.check(serverId);
      } catch (error) {
        return this.refuseServer(res, serverId, error);
      }
      return sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Bad Request: no mcp-session-id header; the first request of a session must be initialize' } });
    }
    return this.openSession(req, res, serverId, auth, body);
  }

  private async openSession(req: IncomingMessage, res: ServerResponse, serverId: string, client: { name: string; sha256: string }, body: unknown): Promise<void> {
    const id = randomUUID();
    const clientLabel = client.name;
    const transport = new StreamableHttpTransport({ sessionId: id });
    const entry: McpSession = { serverId, tokenSha256: client.sha256, transport, relay: undefined, active: 0, lastActivity: Date.now() };
    this.sessions.set(id, entry);
    try {
      entry.relay = await this.hub.open({
        serverId,
        downstream: transport,
        transport: 'http',
        clientLabel,
        sessionId: id,
        onClosed: () => this.sessions.delete(id),
      });
    } catch (error) {
      this.sessions.delete(id);
      return this.refuseServer(res, serverId, error);
    }
    this.track(entry, res);
    transport.handleRequest(req, res, body);
    if (!transport.initialized) {
      // The initialize was refused (e.g. malformed); no session was created.
      this.sessions.delete(id);
      await entry.relay.close();
    }
  }

  private track(session: McpSession, res: ServerResponse): void {
    session.active++;
    this.openMcpResponses++;
    session.lastActivity = Date.now();
    res.once('close', () => {
      this.openMcpResponses--;
      session.active--;
      session.lastActivity = Date.now();
    });
  }

  private closeIdleSessions(): void {
    const cutoff = Date.now() - this.sessionIdleMs;
    for (const [id, session] of this.sessions) {
      if (session.active > 0 || session.lastActivity > cutoff || (session.relay?.inflightCount ?? 0) > 0) continue;
      this.logger.info('closing idle MCP session', { server: session.serverId, session: id });
      this.sessions.delete(id);
      void session.relay?.close();
    }
  }

  private refuseServer(res: ServerResponse, serverId: string, error: unknown): void {
    if (error instanceof ServerNotFoundError) return refuse(res, { status: 404, error: 'unknown server', why: error.message });
    if (error instanceof AdmissionError) return refuse(res, { status: 403, error: 'server not allowed', why: error.message });
    this.logger.error('could not open session', { server: serverId, error });
    return refuse(res, { status: 503, error: 'server unavailable', why: (error as Error).message });
  }

  // ── /api/<method> ──────────────────────────────────────────────────────────────────────

  private async handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const token = bearerToken(req);
    if (token === undefined || !sameDigest(sha256Hex(token), this.apiTokenDigest)) {
      return sendJson(res, 401, { error: { code: 'forbidden', message: 'the API needs "Authorization: Bearer <apiToken>" with the token from <data-dir>/daemon.json' } });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'invalid_input', message: `use POST /api/${method}` } }, { allow: 'POST' });
    if (!this.api) return sendJson(res, 404, { error: { code: 'not_found', message: 'this daemon serves no API' } });
    let input: unknown = {};
    try {
      const raw = await readBody(req, this.maxBodyBytes);
      if (raw.length > 0) input = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: { code: 'invalid_input', message: `the request body exceeds the ${formatBytes(error.limit)} limit` } });
      return sendJson(res, 400, { error: { code: 'invalid_input', message: `the body is not JSON: ${(error as Error).message}` } });
    }
    // The CLI says it is the CLI (approvals answered from a terminal are recorded as such); the
    // API token is what authorises either.
    const caller: Caller = { kind: req.headers['x-switchboard-caller'] === 'cli' ? 'cli' : 'http' };
    const outcome = await this.api(decodeURIComponent(method), input, caller);
    if (outcome.ok) return sendJson(res, 200, { result: outcome.result ?? null });
    return sendJson(res, API_STATUS[outcome.error.code] ?? 500, { error: outcome.error });
  }

  // ── static files ───────────────────────────────────────────────────────────────────────

  private async serveStatic(res: ServerResponse, path: string): Promise<void> {
    const root = resolve(this.staticRoot!);
    let file = resolve(join(root, decodeURIComponent(path)));
    if (file !== root && !file.startsWith(root + sep)) return refuse(res, { status: 404, error: 'not found', why: path });
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) {
      // Single-page app: unknown paths without an extension get index.html.
      if (extname(path) !== '') return refuse(res, { status: 404, error: 'not found', why: path });
      file = join(root, 'index.html');
      info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) return refuse(res, { status: 404, error: 'not found', why: path });
    }
    // The page's <meta> CSP cannot carry frame-ancestors; the header does, so no other page
    // can frame the UI (clickjacking the approval buttons).
    res.writeHead(200, {
      'content-type': contentTypeFor(extname(file)),
      'content-length': info.size,
      'content-security-policy': UI_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  }
}

function containsInitialize(body: unknown): boolean {
  const isInit = (message: unknown) => typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize';
  return Array.isArray(body) ? body.some(isInit) : isInit(body);
}
