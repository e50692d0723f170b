// One client session joined to one upstream connection, message by message. JSON-RPC ids pass
// through unchanged. Requests whose method some interceptor names go through the chain; all
// else is forwarded at once (the fast path, benchmarked: keep it lean). The session survives
// an upstream crash: in-flight requests are answered with the reason, the upstream is
// respawned and the recorded initialize handshake replayed.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { ClientCancelled, PROXY_STOPPING, ProxyErrorCode, ProxyStopping, cancelledByClient, type CallContext, type Interceptor, type Next, type RelayResponse, type SessionInfo } from './interceptor.ts';
import { salientStderr } from '../../shared/stderr-tail.ts';
import type { Logger } from '../base/logger.ts';
import { errorResponse } from '../base/ndjson.ts';
import { messageBytes } from '../base/wire-size.ts';
import type { UpstreamFailure, UpstreamTransport } from './upstream-transport.ts';

export interface RestartPolicy {
  /** Attempts after a crash before the session gives up on its upstream. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5000 };

export interface RelaySessionOptions {
  session: SessionInfo;
  /** The client-facing side. */
  downstream: Transport;
  /** Creates a new, not yet started upstream connection (called again after a crash). */
  connectUpstream: () => Promise<UpstreamTransport>;
  interceptors?: readonly Interceptor[];
  requestTimeoutMs: number;
  /** Pass relatedRequestId on server→client messages (Streamable HTTP downstream). */
  relateMessages?: boolean;
  restart?: RestartPolicy;
  logger: Logger;
  /** Called once when the session has ended (either side closed it). */
  onClosed?: (session: RelaySession) => void;
  /** Called when the upstream (re)connects or dies, e.g. to publish the child's pid. */
  onUpstreamChange?: (session: RelaySession) => void;
  /** Called each time a crashed upstream was started again and took the handshake. */
  onUpstreamRestarted?: (session: RelaySession) => void;
}

interface InFlight {
  readonly method: string;
  timer: NodeJS.Timeout | undefined;
  progressToken: string | number | undefined;
  /** Set for requests that went through the interceptor chain: `next` waits here. */
  waiter: ((response: RelayResponse) => void) | undefined;
  controller: AbortController | undefined;
  /** This request's timeout: the session's, or a shorter per-call budget (CallContext.timeoutMs). */
  readonly limitMs: number;
}

const REPLAY_ID = 'switchboard:replay-initialize';

export class RelaySession {
  readonly session: SessionInfo;
  private readonly downstream: Transport;
  private readonly connectUpstream: () => Promise<UpstreamTransport>;
  private readonly interceptors: readonly Interceptor[];
  private readonly interceptedMethods: ReadonlySet<string>;
  private readonly requestTimeoutMs: number;
  private readonly relateMessages: boolean;
  private readonly restartPolicy: RestartPolicy;
  private readonly logger: Logger;
  private readonly onClosed: ((session: RelaySession) => void) | undefined;
  private readonly onUpstreamChange: ((session: RelaySession) => void) | undefined;
  private readonly onUpstreamRestarted: ((session: RelaySession) => void) | undefined;

  private upstream: UpstreamTransport | undefined;
  private ready = false;
  /** Why requests cannot be served at all (upstream failed for good). */
  private unavailable: string | undefined;
  /** The error data that goes with it (set when the proxy is stopping). */
  private unavailableData: { server: string; reason: string } | undefined;
  private queue: JSONRPCMessage[] = [];
  private readonly inflight = new Map<RequestId, InFlight>();
  /** Requests inside the interceptor chain before `next` (e.g. waiting for approval). */
  private readonly chainControllers = new Map<RequestId, AbortController>();
  private readonly progressTokens = new Map<string | number, RequestId>();
  private initializeRequest: JSONRPCRequest | undefined;
  private initializedNotification: JSONRPCNotification | undefined;
  private replayWaiter: ((response: RelayResponse) => void) | undefined;
  private closing = false;
  /** Set by shutdown(): ids it answered itself, whose chains' own answers are dropped. */
  private stoppedIds: Set<RequestId> | undefined;
  /** Set by shutdown() while it waits for the interceptor chains to finish. */
  private chainsDrained: (() => void) | undefined;
  private restarting = false;
  private restarts = 0;
  /** Set by withdraw(): the policy stopped admitting the server while the session was open. */
  private withdrawn = false;

  constructor(options: RelaySessionOptions) {
    this.session = options.session;
    this.downstream = options.downstream;
    this.connectUpstream = options.connectUpstream;
    this.interceptors = options.interceptors ?? [];
    const methods = new Set<string>();
    for (const interceptor of this.interceptors) for (const method of interceptor.methods) methods.add(method);
    this.interceptedMethods = methods;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.relateMessages = options.relateMessages ?? false;
    this.restartPolicy = options.restart ?? DEFAULT_RESTART_POLICY;
    this.logger = options.logger;
    this.onClosed = options.onClosed;
    this.onUpstreamChange = options.onUpstreamChange;
    this.onUpstreamRestarted = options.onUpstreamRestarted;
  }

  get upstreamPid(): number | undefined {
    return this.ready ? this.upstream?.pid : undefined;
  }

  get inflightCount(): number {
    return this.inflight.size + this.chainControllers.size;
  }

  get restartCount(): number {
    return this.restarts;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Connects upstream, then starts listening to the client. Never throws for upstream trouble. */
  async start(): Promise<void> {
    this.downstream.onmessage = (message) => this.fromClient(message);
    // The client went away: its calls still running are, for it, cancelled.
    this.downstream.onclose = () => void this.close(new ClientCancelled('the client closed the session'));
    this.downstream.onerror = (error) => this.logger.debug('client transport error', { session: this.session.sessionId, error: error.message });
    try {
      await this.attachUpstream();
      if (!this.closing) this.markReady();
    } catch (error) {
      this.unavailable = `server '${this.session.serverId}' could not be started: ${(error as Error).message}`;
      this.logger.warn('upstream failed to start', { server: this.session.serverId, error: (error as Error).message });
    }
    await this.downstream.start();
  }

  /**
   * Ends the session because the proxy is going away (daemon stopping): every request still in
   * flight — forwarded upstream, queued, or inside the interceptor chain (e.g. waiting for an
   * approval) — is answered with a JSON-RPC error saying `reason` and that its result is
   * unknown, and so is every request that arrives meanwhile. The chains get up to `graceMs` to
   * unwind (interceptors record the outcome; their own answers are dropped), then the session
   * closes, which flushes the answers to the client before its connection ends.
   */
  async shutdown(reason: string, graceMs = 2000): Promise<void> {
    if (this.closing || this.stoppedIds !== undefined) return;
    const server = this.session.serverId;
    const message = `${reason}; the result of this request to server '${server}' is unknown (it may or may not have run): retry when the daemon is back`;
    const stopped = new Set<RequestId>();
    this.stoppedIds = stopped;
    // Requests from now on are answered at once, fast path and chain alike; queued ones are
    // answered below and must not go upstream if a restart completes meanwhile.
    this.unavailable = message;
    this.unavailableData = { server, reason: PROXY_STOPPING };
    this.queue = [];
    const error = (id: RequestId) => errorResponse(id, ProxyErrorCode.ServerUnavailable, message, { server, reason: PROXY_STOPPING });
    for (const [id, entry] of [...this.inflight]) {
      entry.controller?.abort(new ProxyStopping(message));
      if (entry.waiter) {
        // The chain unwinds with this answer; the client gets it directly below.
        stopped.add(id);
        this.sendDown(error(id));
      }
      this.answer(id, entry, error(id));
      if (this.ready) this.forwardUp({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
    }
    // Still before `next` (e.g. waiting for an approval): aborted with ProxyStopping, not
    // ClientCancelled, so interceptors record the proxy ending the call.
    for (const [id, controller] of this.chainControllers) {
      if (!stopped.has(id)) {
        stopped.add(id);
        this.sendDown(error(id));
      }
      controller.abort(new ProxyStopping(message));
    }
    if (this.chainControllers.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.chainsDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.chainsDrained = undefined;
    }
    await this.close();
  }

  /**
   * The policy no longer admits the session's server. Its upstream stops (a refused server does
   * not run), and every request from now on is answered with `reason`: on the fast path too,
   * which no interceptor sees (resources/list, prompts/list, ping…). Requests the chain handles
   * still get the policy's own refusal first. The session stays open, so readmit() resumes it.
   */
  async withdraw(reason: string): Promise<void> {
    if (this.closing || this.withdrawn || this.stoppedIds !== undefined) return;
    const server = this.session.serverId;
    this.withdrawn = true;
    this.ready = false;
    this.unavailable = reason;
    this.unavailableData = { server, reason: 'refused' };
    for (const [id, entry] of [...this.inflight]) {
      this.answer(id, entry, errorResponse(id, ProxyErrorCode.Denied, `${reason}; the result of this ${entry.method} is unknown`, this.unavailableData));
    }
    this.queue = [];
    const upstream = this.upstream;
    // Cleared first, so upstreamClosed() does not take this for a crash and restart it.
    this.upstream = undefined;
    await upstream?.close().catch(() => undefined);
    this.onUpstreamChange?.(this);
    this.logger.info('session withdrawn: its server is no longer admitted', { server, session: this.session.sessionId, reason });
  }

  /** The policy admits the server again: a withdrawn session reconnects and replays its handshake. */
  async readmit(): Promise<void> {
    if (this.closing || !this.withdrawn || this.stoppedIds !== undefined) return;
    this.withdrawn = false;
    this.unavailable = undefined;
    this.unavailableData = undefined;
    try {
      await this.attachUpstream();
      if (this.closing) return;
      await this.replayHandshake();
      if (this.withdrawn) {
        // Withdrawn again while connecting: what was just attached must not run.
        const upstream = this.upstream;
        this.upstream = undefined;
        await upstream?.close().catch(() => undefined);
        return;
      }
      this.ready = true;
      this.onUpstreamChange?.(this);
      this.flushQueue();
    } catch (error) {
      if (this.withdrawn) return;
      this.unavailable = `server '${this.session.serverId}' could not be started again: ${(error as Error).message}`;
      this.logger.warn('upstream failed to start again after readmission', { server: this.session.serverId, error: (error as Error).message });
    }
  }

  /** Ends the session; calls still running end with `why` (their interceptor chains unwind, nothing more is sent). */
  async close(why: Error = new Error('session closed')): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.chainsDrained?.();
    this.ready = false;
    for (const [id, entry] of this.inflight) {
      clearTimeout(entry.timer);
      entry.controller?.abort(why);
      // A chain waiting for this answer would otherwise never finish (its audit row stays open).
      entry.waiter?.(errorResponse(id, ProxyErrorCode.ServerUnavailable, `${why.message}; the result of this ${entry.method} is unknown`));
    }
    for (const controller of this.chainControllers.values()) controller.abort(why);
    this.inflight.clear();
    this.chainControllers.clear();
    this.progressTokens.clear();
    this.queue = [];
    const upstream = this.upstream;
    this.upstream = undefined;
    await Promise.allSettled([upstream?.close(), this.downstream.close()]);
    for (const interceptor of this.interceptors) {
      try {
        interceptor.onSessionClosed?.(this.session);
      } catch (error) {
        this.logger.error('interceptor onSessionClosed failed', { interceptor: interceptor.name, error });
      }
    }
    this.onClosed?.(this);
  }

  // ── client → server ────────────────────────────────────────────────────────────────────

  private fromClient(message: JSONRPCMessage): void {
    try {
      if ('method' in message) {
        if ('id' in message && message.id !== undefined) this.fromClientRequest(message as JSONRPCRequest);
        else this.fromClientNotification(message as JSONRPCNotification);
      } else {
        this.forwardUp(message);
      }
    } catch (error) {
      this.logger.error('relay failed on a client message', { session: this.session.sessionId, error });
    }
  }

  private fromClientRequest(request: JSONRPCRequest): void {
    const method = request.method;
    if (method === 'initialize') this.recordInitialize(request);
    if (this.interceptedMethods.has(method)) {
      void this.runChain(request);
      return;
    }
    if (this.unavailable !== undefined) {
      this.sendDown(errorResponse(request.id, ProxyErrorCode.ServerUnavailable, this.unavailable, this.unavailableData));
      return;
    }
    this.track(request, undefined, undefined);
    this.forwardUp(request);
  }

  private fromClientNotification(notification: JSONRPCNotification): void {
    if (notification.method === 'notifications/cancelled') {
      const requestId = (notification.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) {
        this.chainControllers.get(requestId)?.abort(new ClientCancelled());
        const entry = this.inflight.get(requestId);
        if (entry) {
          this.untrack(requestId, entry);
          entry.controller?.abort(new ClientCancelled());
          // The server should not answer a cancelled request, and a late answer is dropped: end the chain here.
          entry.waiter?.(errorResponse(requestId, -32800, 'Request cancelled by the client'));
        }
      }
    } else if (notification.method === 'notifications/initialized') {
      this.initializedNotification = notification;
    }
    if (this.unavailable !== undefined) return;
    this.forwardUp(notification);
  }

  private recordInitialize(request: JSONRPCRequest): void {
    this.initializeRequest = request;
    const info = (request.params as { clientInfo?: { name?: unknown; version?: unknown } } | undefined)?.clientInfo;
    if (info && typeof info.name === 'string') this.session.client = { name: info.name, version: typeof info.version === 'string' ? info.version : '' };
  }

  private track(request: JSONRPCRequest, waiter: InFlight['waiter'], controller: AbortController | undefined, budgetMs?: number): void {
    const id = request.id;
    const limitMs = budgetMs === undefined ? this.requestTimeoutMs : Math.min(budgetMs, this.requestTimeoutMs);
    const entry: InFlight = {
      method: request.method,
      limitMs,
      timer: setTimeout(() => this.timeout(id), limitMs),
      progressToken: undefined,
      waiter,
      controller,
    };
    if (this.relateMessages) {
      const token = (request.params as { _meta?: { progressToken?: string | number } } | undefined)?._meta?.progressToken;
      if (token !== undefined) {
        entry.progressToken = token;
        this.progressTokens.set(token, id);
      }
    }
    this.inflight.set(id, entry);
  }

  private untrack(id: RequestId, entry: InFlight): void {
    clearTimeout(entry.timer);
    this.inflight.delete(id);
    if (entry.progressToken !== undefined) this.progressTokens.delete(entry.progressToken);
  }

  private forwardUp(message: JSONRPCMessage): void {
    const upstream = this.upstream;
    if (!this.ready || upstream === undefined) {
      if (!this.closing) this.queue.push(message);
      return;
    }
    upstream.send(message).catch((error: Error) => this.upstreamSendFailed(message, error));
  }

  private upstreamSendFailed(message: JSONRPCMessage, error: Error): void {
    if (!('method' in message) || !('id' in message) || message.id === undefined) {
      this.logger.debug('could not forward a message upstream', { server: this.session.serverId, error: error.message });
      return;
    }
    const entry = this.inflight.get(message.id);
    if (!entry) return;
    this.answer(message.id, entry, errorResponse(message.id, ProxyErrorCode.ServerUnavailable,
      `server '${this.session.serverId}' could not be reached for ${entry.method}: ${error.message}`));
  }

  private timeout(id: RequestId): void {
    const entry = this.inflight.get(id);
    if (!entry) return;
    const limit = entry.limitMs;
    const raise = limit < this.requestTimeoutMs ? 'the policy\'s timeout budget for this tool (breaker.timeouts)' : 'requestTimeoutMs for this server';
    this.answer(id, entry, errorResponse(id, ProxyErrorCode.Timeout,
      `server '${this.session.serverId}' did not answer ${entry.method} within ${limit} ms (request timeout); the request was cancelled. Raise ${raise} if it needs longer.`,
      { server: this.session.serverId, method: entry.method, timeoutMs: limit }));
    this.forwardUp({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: `timed out after ${limit} ms` } });
  }

  /** Ends one in-flight request with a response made by the proxy. */
  private answer(id: RequestId, entry: InFlight, response: RelayResponse): void {
    this.untrack(id, entry);
    if (entry.waiter) {
      entry.controller?.abort(new Error((response as { error?: { message: string } }).error?.message ?? 'ended'));
      entry.waiter(response);
    } else {
      this.sendDown(response);
    }
  }

  // ── interceptor chain ──────────────────────────────────────────────────────────────────

  private async runChain(request: JSONRPCRequest): Promise<void> {
    const controller = new AbortController();
    const id = request.id;
    this.chainControllers.set(id, controller);
    const ctx: CallContext = {
      session: this.session,
      request,
      signal: controller.signal,
      startedAt: Date.now(),
      bytesIn: messageBytes(request),
    };
    const chain = this.interceptors.filter((interceptor) => interceptor.methods.has(request.method));
    const upstreamNext: Next = (forwarded) => new Promise<RelayResponse>((resolve) => {
      if (controller.signal.aborted) {
        resolve(errorResponse(forwarded.id, -32800, 'Request cancelled'));
        return;
      }
      if (this.unavailable !== undefined) {
        resolve(errorResponse(forwarded.id, ProxyErrorCode.ServerUnavailable, this.unavailable, this.unavailableData));
        return;
      }
      this.track(forwarded, resolve, controller, ctx.timeoutMs);
      this.forwardUp(forwarded);
    });
    const dispatch = (index: number, current: JSONRPCRequest): Promise<RelayResponse> => {
      const interceptor = chain[index];
      if (!interceptor) return upstreamNext(current);
      // A request of another method that a link makes of its own (policy listing tools for a call)
      // passes only the later links that handle that method, and they see it as the request.
      // `forwarded` is what the previous link passed on (DLP's redacted arguments, say).
      const own = current.method !== request.method;
      if (own && !interceptor.methods.has(current.method)) return dispatch(index + 1, current);
      const linkCtx = own ? { ...ctx, request: current, forwarded: current } : ctx;
      if (!own) ctx.forwarded = current;
      return interceptor.handle(linkCtx, (next) => dispatch(index + 1, next)).catch((error: unknown) => {
        this.logger.error('interceptor failed', { interceptor: interceptor.name, method: current.method, error });
        return errorResponse(current.id, ProxyErrorCode.FailClosed,
          `switchboard could not process ${current.method}: ${interceptor.name} failed (${error instanceof Error ? error.message : String(error)}); the call was refused`);
      });
    };
    let response: RelayResponse;
    try {
      response = await dispatch(0, request);
    } catch (error) {
      response = errorResponse(id, ProxyErrorCode.FailClosed, `switchboard could not process ${request.method}: ${(error as Error).message}`);
    }
    this.chainControllers.delete(id);
    if (this.chainsDrained !== undefined && this.chainControllers.size === 0) this.chainsDrained();
    // A cancelled request gets no response (the client has already given up on it).
    if (cancelledByClient(controller.signal)) return;
    if (this.closing) return;
    // Answered by shutdown() already.
    if (this.stoppedIds?.has(id)) return;
    if (response.id !== id) response = { ...response, id };
    this.sendDown(response);
  }

  // ── server → client ────────────────────────────────────────────────────────────────────

  private fromServer(message: JSONRPCMessage): void {
    try {
      if ('method' in message) {
        if ('id' in message && message.id !== undefined) this.sendDown(message, this.latestInflight());
        else this.fromServerNotification(message as JSONRPCNotification);
        return;
      }
      const id = (message as RelayResponse).id as RequestId;
      if (id === REPLAY_ID) {
        this.replayWaiter?.(message as RelayResponse);
        return;
      }
      const entry = this.inflight.get(id);
      if (!entry) return; // answered already (timeout, cancel) — late responses are dropped
      this.untrack(id, entry);
      if (entry.method === 'initialize' && 'result' in message) this.noteProtocolVersion(message.result);
      if (entry.waiter) entry.waiter(message as RelayResponse);
      else this.sendDown(message);
    } catch (error) {
      this.logger.error('relay failed on a server message', { session: this.session.sessionId, error });
    }
  }

  private fromServerNotification(notification: JSONRPCNotification): void {
    let current: JSONRPCNotification | null = notification;
    for (const interceptor of this.interceptors) {
      if (!interceptor.onServerNotification) continue;
      try {
        current = interceptor.onServerNotification(this.session, current);
      } catch (error) {
        this.logger.error('interceptor onServerNotification failed', { interceptor: interceptor.name, error });
      }
      if (current === null) return;
    }
    if (!this.relateMessages) {
      this.sendDown(current);
      return;
    }
    let related: RequestId | undefined;
    if (current.method === 'notifications/progress') {
      const token = (current.params as { progressToken?: string | number } | undefined)?.progressToken;
      if (token !== undefined) related = this.progressTokens.get(token);
    } else {
      related = this.latestInflight();
    }
    this.sendDown(current, related);
  }

  private latestInflight(): RequestId | undefined {
    if (!this.relateMessages) return undefined;
    let latest: RequestId | undefined;
    for (const id of this.inflight.keys()) latest = id;
    return latest;
  }

  private sendDown(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    if (this.closing) return;
    const sent = relatedRequestId === undefined ? this.downstream.send(message) : this.downstream.send(message, { relatedRequestId });
    sent.catch((error: Error) => {
      if (relatedRequestId !== undefined && !this.closing) {
        // The request's stream is gone; the standalone stream may still be open.
        this.downstream.send(message).catch((again: Error) => this.logger.debug('could not deliver to client', { error: again.message }));
        return;
      }
      this.logger.debug('could not deliver to client', { session: this.session.sessionId, error: error.message });
    });
  }

  private noteProtocolVersion(result: unknown): void {
    const version = (result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
    if (typeof version !== 'string') return;
    this.session.protocolVersion = version;
    this.upstream?.setProtocolVersion?.(version);
  }

  // ── upstream lifecycle ─────────────────────────────────────────────────────────────────

  private async attachUpstream(): Promise<void> {
    const upstream = await this.connectUpstream();
    if (this.closing) {
      await upstream.close().catch(() => undefined);
      return;
    }
    upstream.onmessage = (message) => this.fromServer(message);
    upstream.onerror = (error) => this.logger.debug('upstream transport error', { server: this.session.serverId, error: error.message });
    this.upstream = upstream;
    await upstream.start();
    // Only now: a connection that fails to start is reported by start() rejecting.
    upstream.onclose = () => this.upstreamClosed(upstream);
  }

  private upstreamClosed(upstream: UpstreamTransport): void {
    if (this.closing || upstream !== this.upstream) return;
    this.ready = false;
    const failure: UpstreamFailure = upstream.failure?.() ?? { summary: 'closed its connection', stderrTail: [] };
    const tail = salientStderr(failure.stderrTail).join(' | ') || '(none)';
    this.logger.warn('upstream ended during a session', { server: this.session.serverId, session: this.session.sessionId, failure: failure.summary });
    for (const [id, entry] of [...this.inflight]) {
      this.answer(id, entry, errorResponse(id, ProxyErrorCode.ServerUnavailable,
        `server '${this.session.serverId}' ${failure.summary} while handling ${entry.method}; last stderr: ${tail}; restarting`,
        { server: this.session.serverId, method: entry.method }));
    }
    this.replayWaiter?.(errorResponse(REPLAY_ID, ProxyErrorCode.ServerUnavailable, failure.summary));
    this.onUpstreamChange?.(this);
    if (this.restarting) return;
    this.restarting = true;
    void this.restartUpstream(failure).finally(() => {
      this.restarting = false;
    });
  }

  private async restartUpstream(failure: UpstreamFailure): Promise<void> {
    const policy = this.restartPolicy;
    let delay = policy.initialDelayMs;
    let lastError = failure.summary;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closing) return;
      try {
        await this.attachUpstream();
        if (this.closing) return;
        await this.replayHandshake();
        this.restarts++;
        this.ready = true;
        this.logger.info('upstream restarted for session', { server: this.session.serverId, session: this.session.sessionId, attempt });
        this.onUpstreamChange?.(this);
        this.onUpstreamRestarted?.(this);
        this.flushQueue();
        return;
      } catch (error) {
        lastError = (error as Error).message;
        this.logger.warn('upstream restart failed', { server: this.session.serverId, attempt, error: lastError });
        const broken = this.upstream;
        this.upstream = undefined;
        await broken?.close().catch(() => undefined);
      }
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
    this.unavailable = `server '${this.session.serverId}' ${failure.summary} and could not be restarted (${lastError}); check the server with \`switchboard status\``;
    for (const message of this.queue.splice(0)) {
      if ('method' in message && 'id' in message && message.id !== undefined) {
        const entry = this.inflight.get(message.id);
        if (entry) this.answer(message.id, entry, errorResponse(message.id, ProxyErrorCode.ServerUnavailable, this.unavailable));
      }
    }
  }

  private async replayHandshake(): Promise<void> {
    const upstream = this.upstream!;
    if (this.initializeRequest) {
      const response = await new Promise<RelayResponse>((resolve) => {
        const timer = setTimeout(() => resolve(errorResponse(REPLAY_ID, ProxyErrorCode.Timeout, 'initialize timed out')), this.requestTimeoutMs);
        this.replayWaiter = (answer) => {
          clearTimeout(timer);
          this.replayWaiter = undefined;
          resolve(answer);
        };
        upstream.send({ ...this.initializeRequest!, id: REPLAY_ID }).catch((error: Error) => this.replayWaiter?.(errorResponse(REPLAY_ID, -32603, error.message)));
      });
      if ('error' in response) throw new Error(`initialize failed after restart: ${response.error.message}`);
      this.noteProtocolVersion(response.result);
    }
    if (this.initializedNotification) await upstream.send(this.initializedNotification);
  }

  private flushQueue(): void {
    const queued = this.queue.splice(0);
    for (const message of queued) this.forwardUp(message);
  }

  /** Marks the first upstream ready; called by start() once attached. */
  private markReady(): void {
    this.ready = true;
    this.onUpstreamChange?.(this);
    this.flushQueue();
  }
}
