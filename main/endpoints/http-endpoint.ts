// The loopback HTTP endpoint: Streamable HTTP at /mcp for the profile a client's bearer token is
// bound to (also /profiles/<name>/mcp), at /servers/<id>/mcp (alias /mcp/<id>) for one server,
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
import { AuthFailureLog } from './auth-failures.ts';
import type { FreshTokens } from './fresh-tokens.ts';
import { BodyTooLargeError, bearerToken, checkHost, checkOrigin, decodePathPart, readBody, refuse, sameDigest, sendJson, sha256Hex, type Refusal } from './http-guard.ts';
import { StreamableHttpTransport } from './streamable-http-transport.ts';
import type { Federation } from '../federation/federation.ts';
import { UnknownProfileError } from '../federation/federation.ts';
import { DEFAULT_PROFILE } from '../../shared/profiles.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Runs one API call; the daemon wires it to an ApiDispatcher. */
export type ApiCall = (method: string, input: unknown, caller: Caller) => Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorBody }>;

export interface HttpEndpointOptions {
  hub: RelayHub;
  /** Serves /mcp (the token's profile); without it /mcp answers 404. */
  federation?: Federation;
  logger: Logger;
  /** The client tokens (sha256) from config.json, read per request so new tokens work at once. */
  tokens: () => readonly ClientToken[];
  /**
   * The token list as config.json holds it now, asked when a bearer token matches nothing in
   * `tokens()` (which lags a write by the config watcher's debounce); undefined: nothing newer.
   */
  /** Where refused logins are recorded (default: a log of its own). */
  authFailures?: AuthFailureLog;
  freshTokens?: FreshTokens;
  /** Bearer token for /api (random per daemon start). */
  apiToken: string;
  api?: ApiCall;
  /** Folder of the web UI's built files, served at / (GET). */
  staticRoot?: string;
  maxBodyBytes?: number;
  host?: string;
  /** Close an MCP session with no request or stream open for this long (default 30 min). */
  sessionIdleMs?: number;
  /** The same for a session that never made a call after initialize (default 60 s). */
  unusedSessionIdleMs?: number;
  /**
   * Open MCP sessions one client token may hold (default 16). At the limit a new initialize
   * closes the least recently used idle session of that token; when none is idle, it gets 429.
   */
  maxSessionsPerToken?: number;
  /** Open MCP sessions over all tokens (default 64), with the same rule. */
  maxSessions?: number;
  /** How long a session must have been idle to be closed for a new one at the limit (default 1 s). */
  evictIdleAfterMs?: number;
}

export const DEFAULT_MAX_SESSIONS_PER_TOKEN = 16;
export const DEFAULT_MAX_SESSIONS = 64;
export const DEFAULT_UNUSED_SESSION_IDLE_MS = 60_000;
export const DEFAULT_EVICT_IDLE_AFTER_MS = 1_000;

/** `listen` found the port taken. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly port: number;
  constructor(port: number, host: string, cause: unknown) {
    super(`port ${port} on ${host} is already in use (another program, or a switchboard daemon of another data folder, listens there); `
      + 'start with `switchboard serve --port <port>` to use another one for this run (0 picks a free one), '
      + 'or set settings.httpPort in config.json to change it for good (linked URL clients name that port)', { cause });
    this.port = port;
  }
}

/** What an MCP session serves: one server, or a profile (federated). */
type McpTarget = { readonly kind: 'server'; readonly id: string } | { readonly kind: 'profile'; readonly name: string | undefined };

interface McpSession {
  /** The server id, or "profile:<name>" for a federated session (server ids have no ":"). */
  serverId: string;
  /** The config digest of the client token that opened the session: only that token may use it. */
  tokenSha256: string;
  /** Whether the client made a request other than initialize and ping (sessions that never did close sooner). */
  used: boolean;
  transport: StreamableHttpTransport;
  relay: Pick<RelaySession, 'close' | 'inflightCount'> | undefined;
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
  private readonly federation: Federation | undefined;
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
  private readonly unusedSessionIdleMs: number;
  private readonly maxSessionsPerToken: number;
  private readonly maxSessions: number;
  private readonly evictIdleAfterMs: number;
  private readonly freshTokens: FreshTokens | undefined;
  /** Refused logins (401/403), for `status` and the UI. */
  readonly authFailures: AuthFailureLog;
  private limitLoggedAt = Number.NEGATIVE_INFINITY;
  private limitRefusals = 0;
  private idleSweep: NodeJS.Timeout | undefined;
  /** SHA-256 of bearer tokens that matched a client token (only those, so the map stays small). */
  private readonly tokenDigests = new Map<string, string>();
  /** /mcp responses not yet finished (streams included), so close() can let the last answers out. */
  private openMcpResponses = 0;

  constructor(options: HttpEndpointOptions) {
    this.hub = options.hub;
    this.federation = options.federation;
    this.logger = options.logger;
    this.tokens = options.tokens;
    this.apiTokenDigest = sha256Hex(options.apiToken);
    this.api = options.api;
    this.staticRoot = options.staticRoot;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.host = options.host ?? '127.0.0.1';
    this.sessionIdleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.unusedSessionIdleMs = Math.min(options.unusedSessionIdleMs ?? DEFAULT_UNUSED_SESSION_IDLE_MS, this.sessionIdleMs);
    this.maxSessionsPerToken = options.maxSessionsPerToken ?? DEFAULT_MAX_SESSIONS_PER_TOKEN;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.evictIdleAfterMs = options.evictIdleAfterMs ?? DEFAULT_EVICT_IDLE_AFTER_MS;
    this.freshTokens = options.freshTokens;
    this.authFailures = options.authFailures ?? new AuthFailureLog(options.logger);
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
      server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, this.host, error) : error));
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    // Clients that vanish without DELETE would otherwise keep their upstream process forever.
    this.idleSweep = setInterval(() => this.closeIdleSessions(), Math.min(60_000, this.unusedSessionIdleMs));
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

    if (path === '/mcp' || path === '/mcp/') return this.handleMcp(req, res, { kind: 'profile', name: undefined });
    const scoped = /^\/(servers|profiles)\/([^/]+)\/mcp\/?$/.exec(path);
    if (scoped) {
      const name = decodePathPart(scoped[2]!);
      if (name === undefined) return refuse(res, badPath(path));
      return this.handleMcp(req, res, scoped[1] === 'servers' ? { kind: 'server', id: name } : { kind: 'profile', name });
    }
    if (path.startsWith('/mcp/')) {
      // Before authentication, as any malformed request: a bad escape such as /mcp/% is the caller's error.
      const serverId = decodePathPart(path.slice('/mcp/'.length).replace(/\/+$/, ''));
      if (serverId === undefined) return refuse(res, badPath(path));
      return this.handleMcp(req, res, { kind: 'server', id: serverId });
    }
    for (const route of this.routes) {
      if (path === route.prefix || path.startsWith(`${route.prefix}/`)) return route.handler(req, res, url);
    }
    if (path.startsWith('/api/')) return this.handleApi(req, res, path.slice('/api/'.length));
    if (this.staticRoot && (req.method === 'GET' || req.method === 'HEAD')) return this.serveStatic(res, path);
    return refuse(res, { status: 404, error: 'not found', why: `nothing at ${path}; MCP clients connect to /mcp (their token's profile) or /servers/<server-id>/mcp` });
  }

  // ── /mcp/<server> ──────────────────────────────────────────────────────────────────────

  private authenticateClient(req: IncomingMessage, target: McpTarget): { name: string; sha256: string; profile?: string } | { refusal: Refusal; client: string } {
    const token = bearerToken(req);
    const userAgent = req.headers['user-agent'];
    const unknownClient = typeof userAgent === 'string' && userAgent.length > 0 ? `user-agent "${userAgent}"` : 'unknown';
    if (token === undefined) {
      return { client: unknownClient, refusal: { status: 401, error: 'missing token', why: 'send "Authorization: Bearer <token>"; create a token with `switchboard token create <client-name>` (or link the client in the app)' } };
    }
    // Hashing the token is a visible share of a call's cost, so a token's digest is remembered;
    // the current token list is still checked on every request (a revoked token stops at once).
    let digest = this.tokenDigests.get(token);
    if (digest === undefined) {
      digest = sha256Hex(token);
      if (this.tokenDigests.size >= 256) this.tokenDigests.clear();
    }
    const find = (tokens: readonly ClientToken[]): ClientToken | undefined => {
      let found: ClientToken | undefined;
      for (const candidate of tokens) if (sameDigest(digest, candidate.sha256)) found = candidate;
      return found;
    };
    let match = find(this.tokens());
    if (!match) {
      const fresh = this.freshTokens?.();
      if (fresh) match = find(fresh);
    }
    if (match) this.tokenDigests.set(token, digest);
    if (!match) return { client: unknownClient, refusal: { status: 401, error: 'invalid token', why: 'the bearer token is not one this daemon issued (it may have been revoked); create a new one with `switchboard token create <client-name>`' } };
    if (target.kind === 'profile') return profileAccess(match, target.name, (name) => this.federation?.has(name) ?? false);
    const serverId = target.id;
    if (match.profile !== undefined) {
      return {
        client: `token "${match.name}"`,
        refusal: { status: 403, error: 'token not for this server', why: `the token '${match.name}' was issued for profile '${match.profile}' and opens only its endpoint /mcp; link the client to server '${serverId}' to get a token for it` },
      };
    }
    if (match.servers !== undefined && !match.servers.includes(serverId)) {
      return {
        client: `token "${match.name}"`,
        refusal: { status: 403, error: 'token not for this server', why: `the token '${match.name}' was issued for ${match.servers.map((s) => `'${s}'`).join(', ')} only; link the client file that lists '${serverId}' (or create a token for it with \`switchboard token create <client-name> --server ${serverId}\`)` },
      };
    }
    return { name: match.name, sha256: match.sha256 };
  }

  private async handleMcp(req: IncomingMessage, res: ServerResponse, target: McpTarget): Promise<void> {
    const auth = this.authenticateClient(req, target);
    const endpoint = target.kind === 'server' ? `/mcp/${target.id}` : target.name === undefined ? '/mcp' : `/profiles/${target.name}/mcp`;
    if ('refusal' in auth) {
      this.authFailures.record({ status: auth.refusal.status as 401 | 403, reason: auth.refusal.error, endpoint, client: auth.client });
      return refuse(res, auth.refusal, auth.refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="mcp-switchboard"' } : {});
    }

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

    const serverId = target.kind === 'server' ? target.id : `profile:${auth.profile!}`;
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
      if (!session.used && makesCall(body)) session.used = true;
      this.track(session, res);
      session.transport.handleRequest(req, res, body);
      return;
    }

    if (req.method !== 'POST' || !containsInitialize(body)) {
      try {
        if (target.kind === 'server') await this.hub.check(serverId);
        else this.profileFederation().resolve(auth.profile!);
      } catch (error) {
        return this.refuseServer(res, serverId, error);
      }
      return sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Bad Request: no mcp-session-id header; the first request of a session must be initialize' } });
    }
    return this.openSession(req, res, serverId, auth, body);
  }

  private profileFederation(): Federation {
    if (!this.federation) throw new UnknownProfileError(DEFAULT_PROFILE);
    return this.federation;
  }

  private async openSession(req: IncomingMessage, res: ServerResponse, serverId: string, client: { name: string; sha256: string; profile?: string }, body: unknown): Promise<void> {
    const full = this.sessionLimitReached(client);
    if (full) {
      // A client retrying at the limit would write a line per attempt: one a minute, with the count.
      this.limitRefusals++;
      if (Date.now() - this.limitLoggedAt >= 60_000) {
        this.logger.warn('refused new MCP sessions: limit reached', { server: serverId, label: client.name, why: full.why, refused: this.limitRefusals });
        this.limitLoggedAt = Date.now();
        this.limitRefusals = 0;
      }
      return refuse(res, full);
    }
    const id = randomUUID();
    const clientLabel = client.name;
    const transport = new StreamableHttpTransport({ sessionId: id });
    const entry: McpSession = { serverId, tokenSha256: client.sha256, used: false, transport, relay: undefined, active: 0, lastActivity: Date.now() };
    this.sessions.set(id, entry);
    try {
      const common = { downstream: transport, transport: 'http', clientLabel, sessionId: id, onClosed: () => this.sessions.delete(id) } as const;
      entry.relay = client.profile !== undefined
        ? await this.profileFederation().open({ profile: client.profile, ...common })
        : await this.hub.open({ serverId, ...common });
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

  /**
   * Sessions being opened count too (they are in the map from the start), so a burst of
   * initializes cannot overshoot while the first ones spawn their servers. At a limit, the least
   * recently used idle session (no request or stream open, no call in flight, idle for a moment)
   * is closed to make room, those that never made a call first: clients often open a session and
   * drop it without a DELETE, and per the spec a client whose session is gone opens a new one. A
   * client still working in a session (a window holds its GET stream open) is never closed; when
   * every session is in use, the initialize gets 429.
   */
  private sessionLimitReached(client: { name: string; sha256: string }): Refusal | undefined {
    const after = `close sessions the client no longer uses (HTTP DELETE with their mcp-session-id header); all of them are in use now (a request or stream open, or a call in flight)`;
    const ofToken = (session: McpSession) => session.tokenSha256 === client.sha256;
    const count = [...this.sessions.values()].filter(ofToken).length;
    if (count >= this.maxSessionsPerToken && !this.closeOneIdle(ofToken)) {
      return { status: 429, error: 'too many sessions', why: `the client token '${client.name}' has ${count} MCP sessions open, the most one token may hold (${this.maxSessionsPerToken}); ${after}` };
    }
    if (this.sessions.size >= this.maxSessions && !this.closeOneIdle(() => true)) {
      return { status: 429, error: 'too many sessions', why: `the daemon has ${this.sessions.size} HTTP MCP sessions open, the most it holds at once (${this.maxSessions}); ${after}` };
    }
    return undefined;
  }

  /** Closes the least recently used idle session among `among`; false when none is idle. */
  private closeOneIdle(among: (session: McpSession) => boolean): boolean {
    const cutoff = Date.now() - this.evictIdleAfterMs;
    let victim: [string, McpSession] | undefined;
    for (const entry of this.sessions) {
      const session = entry[1];
      if (!among(session) || session.relay === undefined || session.active > 0 || session.relay.inflightCount > 0 || session.lastActivity > cutoff) continue;
      const older = !victim || (session.used === victim[1].used ? session.lastActivity < victim[1].lastActivity : !session.used);
      if (older) victim = entry;
    }
    if (!victim) return false;
    const [id, session] = victim;
    this.logger.info('closing the least recently used idle MCP session to make room for a new one', { server: session.serverId, session: id });
    this.sessions.delete(id);
    void session.relay?.close();
    return true;
  }

  private closeIdleSessions(): void {
    const now = Date.now();
    for (const [id, session] of this.sessions) {
      const cutoff = now - (session.used ? this.sessionIdleMs : this.unusedSessionIdleMs);
      if (session.relay === undefined || session.active > 0 || session.lastActivity > cutoff || (session.relay?.inflightCount ?? 0) > 0) continue;
      this.logger.info('closing idle MCP session', { server: session.serverId, session: id });
      this.sessions.delete(id);
      void session.relay?.close();
    }
  }

  private refuseServer(res: ServerResponse, serverId: string, error: unknown): void {
    if (error instanceof ServerNotFoundError) return refuse(res, { status: 404, error: 'unknown server', why: error.message });
    if (error instanceof UnknownProfileError) return refuse(res, { status: 404, error: 'unknown profile', why: error.message });
    if (error instanceof AdmissionError) return refuse(res, { status: 403, error: 'server not allowed', why: error.message });
    this.logger.error('could not open session', { server: serverId, error });
    return refuse(res, { status: 503, error: 'server unavailable', why: (error as Error).message });
  }

  // ── /api/<method> ──────────────────────────────────────────────────────────────────────

  private async handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const token = bearerToken(req);
    if (token === undefined || !sameDigest(sha256Hex(token), this.apiTokenDigest)) {
      const userAgent = req.headers['user-agent'];
      this.authFailures.record({
        status: 401, reason: token === undefined ? 'missing API token' : 'invalid API token', endpoint: `/api/${method}`,
        client: typeof userAgent === 'string' && userAgent.length > 0 ? `user-agent "${userAgent}"` : 'unknown',
      });
      return sendJson(res, 401, { error: { code: 'forbidden', message: 'the API needs "Authorization: Bearer <apiToken>" with the token from <data-dir>/daemon.json' } });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'invalid_input', message: `use POST /api/${method}` } }, { allow: 'POST' });
    const name = decodePathPart(method);
    if (name === undefined) return sendJson(res, 400, { error: { code: 'invalid_input', message: `the path /api/${method} is not valid percent-encoding` } });
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
    const outcome = await this.api(name, input, caller);
    if (outcome.ok) return sendJson(res, 200, { result: outcome.result ?? null });
    return sendJson(res, API_STATUS[outcome.error.code] ?? 500, { error: outcome.error });
  }

  // ── static files ───────────────────────────────────────────────────────────────────────

  private async serveStatic(res: ServerResponse, path: string): Promise<void> {
    const root = resolve(this.staticRoot!);
    const decoded = decodePathPart(path);
    if (decoded === undefined) return refuse(res, badPath(path));
    let file = resolve(join(root, decoded));
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

/**
 * Which profile a token opens at /mcp (`asked`: the name in /profiles/<name>/mcp): the one it was
 * issued for. A token without a profile opens the `default` profile, and only when it is not
 * scoped to servers (a token for some servers must not reach every server through /mcp).
 */
function profileAccess(token: ClientToken, asked: string | undefined, exists: (name: string) => boolean): { name: string; sha256: string; profile: string } | { refusal: Refusal; client: string } {
  const client = `token "${token.name}"`;
  if (token.profile === undefined && token.servers !== undefined) {
    return { client, refusal: { status: 403, error: 'token not for a profile', why: `the token '${token.name}' was issued for server(s) ${token.servers.map((s) => `'${s}'`).join(', ')} only, not for a profile; use /servers/<id>/mcp, or link the client to a profile (\`switchboard client link <client> --profile <name>\`)` } };
  }
  const bound = token.profile ?? DEFAULT_PROFILE;
  if (asked !== undefined && asked !== bound && !exists(asked)) {
    return { client, refusal: { status: 403, error: 'no such profile', why: `there is no profile '${asked}' (\`switchboard profile list\` shows them); the token '${token.name}' opens profile '${bound}' at /mcp` } };
  }
  if (asked !== undefined && asked !== bound) {
    return { client, refusal: { status: 403, error: 'token not for this profile', why: `the token '${token.name}' was issued for profile '${bound}', not '${asked}'; link the client to profile '${asked}' to get a token for it` } };
  }
  return { name: token.name, sha256: token.sha256, profile: bound };
}

function badPath(path: string): Refusal {
  return { status: 400, error: 'bad request', why: `the path ${path.slice(0, 200)} is not valid percent-encoding (a "%" must start an escape such as %2F)` };
}

/** A request other than initialize and ping: the session is in use. */
function makesCall(body: unknown): boolean {
  const isCall = (message: unknown): boolean => {
    if (typeof message !== 'object' || message === null || !('id' in message)) return false;
    const method = (message as { method?: unknown }).method;
    return typeof method === 'string' && method !== 'initialize' && method !== 'ping';
  };
  return Array.isArray(body) ? body.some(isCall) : isCall(body);
}

function containsInitialize(body: unknown): boolean {
  const isInit = (message: unknown) => typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize';
  return Array.isArray(body) ? body.some(isInit) : isInit(body);
}
