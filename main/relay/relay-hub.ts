// Opens and tracks the relay sessions of every endpoint: the admission check, the interceptor
// chain and the request timeout of each new session come from here.
import { randomUUID } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../../shared/config.ts';
import type { ClientTransportKind, Interceptor, SessionInfo } from './interceptor.ts';
import type { Logger } from '../base/logger.ts';
import { RelaySession, type RestartPolicy } from './relay-session.ts';
import type { UpstreamTransport } from './upstream-transport.ts';

/** What the hub needs from the supervisor. */
export interface UpstreamSource {
  /** The server's configuration if it may run now; throws (with a message that says why) when it is unknown or not admitted. */
  admitSession(serverId: string): Promise<ServerConfig>;
  /** A new, unstarted connection to a server admitted by `admit`. */
  createUpstream(server: ServerConfig): Promise<UpstreamTransport>;
}

export interface OpenSessionOptions {
  serverId: string;
  downstream: Transport;
  transport: ClientTransportKind;
  /** The HTTP token's name, or "bridge". */
  clientLabel: string;
  sessionId?: string;
  /** The profile of the federated session this server session serves (recorded by audit). */
  profile?: string;
  /** Called once when the session ends. */
  onClosed?: () => void;
}

export interface RelayHubOptions {
  upstreams: UpstreamSource;
  logger: Logger;
  interceptors?: readonly Interceptor[];
  /** The default request timeout (settings.requestTimeoutMs), read for each new session. */
  defaultRequestTimeoutMs: () => number;
  restart?: RestartPolicy;
}

export class RelayHub {
  private readonly upstreams: UpstreamSource;
  private readonly logger: Logger;
  private readonly interceptors: Interceptor[];
  private readonly defaultRequestTimeoutMs: () => number;
  private readonly restart: RestartPolicy | undefined;
  private readonly live = new Set<RelaySession>();
  private readonly restartListeners = new Set<(serverId: string) => void>();
  /** Set once shutdown() began: why new sessions are refused. */
  private stopping: string | undefined;

  constructor(options: RelayHubOptions) {
    this.upstreams = options.upstreams;
    this.logger = options.logger;
    this.interceptors = [...(options.interceptors ?? [])];
    this.defaultRequestTimeoutMs = options.defaultRequestTimeoutMs;
    this.restart = options.restart;
  }

  /** Appends an interceptor (innermost so far); applies to sessions opened from now on. */
  use(interceptor: Interceptor): void {
    this.interceptors.push(interceptor);
  }

  /** Calls `listener` with the server id each time a session's crashed upstream is started again. */
  onUpstreamRestart(listener: (serverId: string) => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  get chain(): readonly Interceptor[] {
    return this.interceptors;
  }

  /**
   * For a request that opens no session (an HTTP request without a session id): throws
   * ServerNotFoundError / AdmissionError (from the supervisor) when a session would be refused.
   */
  async check(serverId: string): Promise<void> {
    await this.upstreams.admitSession(serverId);
  }

  /**
   * Decides admission once for the session (again to respawn its server after a crash, and at
   * each policy change: reviewAdmission), then connects upstream and starts relaying. Throws if
   * not admitted.
   */
  async open(options: OpenSessionOptions): Promise<RelaySession> {
    if (this.stopping !== undefined) throw new Error(`${this.stopping}; no new session can start: retry when the daemon is back`);
    const config = await this.upstreams.admitSession(options.serverId);
    if (this.stopping !== undefined) throw new Error(`${this.stopping}; no new session can start: retry when the daemon is back`);
    const session: SessionInfo = {
      sessionId: options.sessionId ?? randomUUID(),
      serverId: options.serverId,
      transport: options.transport,
      clientLabel: options.clientLabel,
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
    };
    const relay = new RelaySession({
      session,
      downstream: options.downstream,
      // The first connection uses the decision just made; a respawn after a crash decides again,
      // so a server the policy stopped admitting is not started again for an open session.
      connectUpstream: (() => {
        let admitted: ServerConfig | undefined = config;
        return async () => {
          const server = admitted ?? await this.upstreams.admitSession(options.serverId);
          admitted = undefined;
          return this.upstreams.createUpstream(server);
        };
      })(),
      interceptors: [...this.interceptors],
      requestTimeoutMs: config.requestTimeoutMs ?? this.defaultRequestTimeoutMs(),
      relateMessages: options.transport === 'http',
      ...(this.restart ? { restart: this.restart } : {}),
      logger: this.logger,
      onUpstreamRestarted: () => {
        for (const listener of this.restartListeners) {
          try {
            listener(session.serverId);
          } catch (error) {
            // A listener (metrics) must not turn a good restart into a failed one.
            this.logger.error('upstream restart listener failed', { server: session.serverId, error });
          }
        }
      },
      onClosed: (closed) => {
        this.live.delete(closed);
        options.onClosed?.();
        this.logger.info('session closed', { server: session.serverId, session: session.sessionId, client: session.client?.name });
      },
    });
    this.live.add(relay);
    this.logger.info('session opened', { server: session.serverId, session: session.sessionId, via: session.transport, label: session.clientLabel });
    try {
      await relay.start();
    } catch (error) {
      this.live.delete(relay);
      await relay.close().catch(() => undefined);
      throw error;
    }
    return relay;
  }

  sessions(serverId?: string): RelaySession[] {
    const all = [...this.live];
    return serverId === undefined ? all : all.filter((relay) => relay.session.serverId === serverId);
  }

  async closeServer(serverId: string): Promise<void> {
    await Promise.allSettled(this.sessions(serverId).map((relay) => relay.close()));
  }

  /**
   * The policy changed: each open session's server is admitted again, or its sessions are
   * withdrawn until it is (RelaySession.withdraw). Admission is otherwise decided once per session.
   */
  async reviewAdmission(): Promise<void> {
    const servers = new Set([...this.live].map((relay) => relay.session.serverId));
    await Promise.allSettled([...servers].map(async (serverId) => {
      let refusal: string | undefined;
      try {
        await this.upstreams.admitSession(serverId);
      } catch (error) {
        refusal = error instanceof Error ? error.message : String(error);
      }
      await Promise.allSettled(this.sessions(serverId).map((relay) => (refusal === undefined ? relay.readmit() : relay.withdraw(refusal))));
    }));
  }

  /**
   * The daemon is stopping: refuses new sessions, and has every live one answer its requests in
   * flight with `reason` (see RelaySession.shutdown) before it closes.
   */
  async shutdown(reason: string, graceMs?: number): Promise<void> {
    this.stopping ??= reason;
    await Promise.allSettled([...this.live].map((relay) => relay.shutdown(reason, graceMs)));
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.live].map((relay) => relay.close()));
  }
}
