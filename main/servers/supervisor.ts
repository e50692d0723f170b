// Knows every configured server's state and keeps a probe session to each running one (health
// pings, tool lists for the UI and CLI, test calls). Restarts a crashed probe with backoff and
// is the factory of the per-session upstream connections (after the admission check).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../shared/config.ts';
import type { Logger } from '../base/logger.ts';
import type { UpstreamTransport } from '../relay/upstream-transport.ts';
import { sandboxState } from '../sandbox/sandbox-state.ts';
import { ChildProcessTransport, noSecretStore, type ResolveSecret } from './child-process-transport.ts';
import { createUpstreamTransport, type UpstreamFactoryOptions } from './upstream-factory.ts';

export type ServerState = 'stopped' | 'starting' | 'ready' | 'failed';

export interface ServerStatus {
  id: string;
  transport: ServerConfig['transport'];
  enabled: boolean;
  state: ServerState;
  /** Why the server is failed (or stopped by whom). */
  reason?: string;
  exit?: { code: number | null; signal: string | null };
  stderrTail: string[];
  /** When the state last changed (ISO). */
  since: string;
  restarts: number;
  pid?: number;
  serverInfo?: { name: string; version: string };
  /** The policy does not admit it. */
  refused?: boolean;
  /** How it runs: "bwrap network=none", "not sandboxed", "remote" (main/sandbox/sandbox-state.ts). */
  sandbox?: string;
}

export type AdmitResult = { ok: true } | { ok: false; reason: string };
/** The policy's admission: may this server run? There is no default; every supervisor is built with the policy's. */
export type Admit = (server: ServerConfig) => AdmitResult | Promise<AdmitResult>;

const STOPPING = 'the supervisor is stopping: no server process starts now';

export class ServerNotFoundError extends Error {
  readonly serverId: string;
  constructor(serverId: string) {
    super(`unknown server '${serverId}': add it with \`switchboard server add ${serverId} -- <command>\` or check \`switchboard server list\``);
    this.name = 'ServerNotFoundError';
    this.serverId = serverId;
  }
}

export class AdmissionError extends Error {
  readonly serverId: string;
  constructor(serverId: string, reason: string) {
    super(`server '${serverId}' may not run: ${reason}`);
    this.name = 'AdmissionError';
    this.serverId = serverId;
  }
}

export interface SupervisorOptions {
  logger: Logger;
  admit: Admit;
  resolveSecret?: ResolveSecret;
  /** Start probe sessions for enabled servers when they are configured. Default true. */
  autoStart?: boolean;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  maxMessageBytes?: number;
  /** Wraps the fetch of remote servers' connections (trace and end-user headers: main/observability/remote-fetch.ts). */
  remoteFetch?: UpstreamFactoryOptions['remoteFetch'];
}

interface Managed {
  config: ServerConfig;
  state: ServerState;
  reason: string | undefined;
  /** Failed because the policy does not admit it (not a crash: no restart is scheduled). */
  refused: boolean;
  exit: ServerStatus['exit'];
  stderrTail: string[];
  since: string;
  restarts: number;
  /** Set while the user (or config) wants the server running. */
  wanted: boolean;
  client: Client | undefined;
  transport: UpstreamTransport | undefined;
  pingTimer: NodeJS.Timeout | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  backoffMs: number;
  /** Bumped on every start/stop so stale callbacks of an old probe are ignored. */
  generation: number;
  serverInfo: ServerStatus['serverInfo'];
  tools: Tool[] | undefined;
}

export class Supervisor {
  private readonly logger: Logger;
  private readonly admit: Admit;
  private readonly resolveSecret: ResolveSecret;
  private readonly autoStart: boolean;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly maxMessageBytes: number | undefined;
  private readonly remoteFetch: SupervisorOptions['remoteFetch'];
  private readonly servers = new Map<string, Managed>();
  private readonly listeners = new Set<(status: ServerStatus) => void>();
  /**
   * Every server process this supervisor made (probes and client sessions) that is not closed
   * yet, whoever started it: shutdown kills them all, so none outlives the daemon.
   */
  private readonly children = new Set<ChildProcessTransport>();
  private shuttingDown = false;

  constructor(options: SupervisorOptions) {
    this.logger = options.logger;
    this.admit = options.admit;
    this.resolveSecret = options.resolveSecret ?? noSecretStore;
    this.remoteFetch = options.remoteFetch;
    this.autoStart = options.autoStart ?? true;
    this.pingIntervalMs = options.pingIntervalMs ?? 30_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 10_000;
    this.backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    this.maxMessageBytes = options.maxMessageBytes;
  }

  /** Called with every state change (UI events). */
  onStatus(listener: (status: ServerStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reconciles with the configured servers: adds, removes and restarts changed ones. */
  reconcile(servers: readonly ServerConfig[]): void {
    const next = new Map(servers.map((server) => [server.id, server]));
    for (const [id, managed] of this.servers) {
      if (!next.has(id)) {
        void this.stopProbe(managed, 'removed from the configuration');
        this.servers.delete(id);
      }
    }
    for (const server of servers) {
      const existing = this.servers.get(server.id);
      if (!existing) {
        const managed = this.createManaged(server);
        this.servers.set(server.id, managed);
        if (managed.wanted) void this.startProbe(managed);
        continue;
      }
      if (JSON.stringify(existing.config) === JSON.stringify(server)) continue;
      existing.config = server;
      existing.wanted = server.enabled && (existing.wanted || this.autoStart);
      void this.stopProbe(existing, 'configuration changed').then(() => {
        if (existing.wanted && !this.shuttingDown) void this.startProbe(existing);
      });
    }
  }

  config(id: string): ServerConfig | undefined {
    return this.servers.get(id)?.config;
  }

  list(): ServerStatus[] {
    return [...this.servers.values()].map((managed) => this.status(managed));
  }

  get(id: string): ServerStatus {
    return this.status(this.require(id));
  }

  async start(id: string): Promise<ServerStatus> {
    const managed = this.require(id);
    if (!managed.config.enabled) throw new AdmissionError(id, 'it is disabled in the configuration');
    managed.wanted = true;
    if (managed.state !== 'ready' && managed.state !== 'starting') {
      managed.backoffMs = this.backoff.initialMs;
      await this.startProbe(managed);
    }
    return this.status(managed);
  }

  async stop(id: string): Promise<ServerStatus> {
    const managed = this.require(id);
    managed.wanted = false;
    await this.stopProbe(managed, 'stopped by the user');
    return this.status(managed);
  }

  async restart(id: string): Promise<ServerStatus> {
    const managed = this.require(id);
    await this.stopProbe(managed, 'restarting');
    managed.wanted = managed.config.enabled;
    managed.backoffMs = this.backoff.initialMs;
    if (managed.wanted) await this.startProbe(managed);
    return this.status(managed);
  }

  /** Lists the server's tools through the probe session, starting the probe if needed. */
  async tools(id: string): Promise<Tool[]> {
    const client = await this.readyClient(id);
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await client.listTools(cursor ? { cursor } : {}, { timeout: this.pingTimeoutMs * 3 });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    this.require(id).tools = tools;
    return tools;
  }

  logs(id: string): string[] {
    const managed = this.require(id);
    const live = (managed.transport as { stderrTail?: () => string[] } | undefined)?.stderrTail?.();
    return live ?? managed.stderrTail;
  }

  /** The admission decision for a new client session; throws ServerNotFoundError / AdmissionError. */
  async admitSession(id: string): Promise<ServerConfig> {
    const managed = this.servers.get(id);
    if (!managed) throw new ServerNotFoundError(id);
    if (!managed.config.enabled) throw new AdmissionError(id, 'it is disabled; enable it in the app or config.json');
    const verdict = await this.admit(managed.config);
    if (!verdict.ok) throw new AdmissionError(id, verdict.reason);
    return managed.config;
  }

  /** A new, unstarted upstream connection for one client session, to a server admitSession admitted. */
  async createUpstream(config: ServerConfig): Promise<UpstreamTransport> {
    return this.newTransport(config);
  }

  /**
   * Decides admission again (policy changed): a probe running for a server the policy no longer
   * admits is stopped and shows the refusal; one refused before and admitted now is started.
   */
  reviewAdmission(): void {
    if (this.shuttingDown) return;
    for (const managed of this.servers.values()) {
      if (!managed.config.enabled) continue;
      void Promise.resolve(this.admit(managed.config)).then((verdict) => {
        const running = managed.state === 'ready' || managed.state === 'starting';
        if ((running && !verdict.ok) || (managed.refused && verdict.ok)) void this.restart(managed.config.id).catch(() => undefined);
      }, () => undefined);
    }
  }

  /** Stops every probe and kills every server process it made; no process starts after this. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.allSettled([...this.servers.values()].map((managed) => this.stopProbe(managed, 'daemon stopped')));
    await Promise.allSettled([...this.children].map((child) => child.close()));
  }

  /**
   * A tracked upstream: its process is killed by shutdown even if its owner (a client session, a
   * probe start under way) never closes it, and it refuses to start once shutdown has begun.
   */
  private async newTransport(config: ServerConfig): Promise<UpstreamTransport> {
    const transport = await createUpstreamTransport(config, { resolveSecret: this.resolveSecret, ...(this.remoteFetch ? { remoteFetch: this.remoteFetch } : {}), ...(this.maxMessageBytes ? { maxMessageBytes: this.maxMessageBytes } : {}) });
    if (!(transport instanceof ChildProcessTransport)) return transport;
    if (this.shuttingDown) {
      await transport.close();
      throw new Error(STOPPING);
    }
    for (const child of this.children) if (child.exitInfo) this.children.delete(child);
    this.children.add(transport);
    const start = transport.start.bind(transport);
    const close = transport.close.bind(transport);
    transport.start = () => (this.shuttingDown ? Promise.reject(new Error(STOPPING)) : start());
    transport.close = async () => {
      try {
        await close();
      } finally {
        this.children.delete(transport);
      }
    };
    return transport;
  }

  // ── probe lifecycle ────────────────────────────────────────────────────────────────────

  private createManaged(config: ServerConfig): Managed {
    return {
      config,
      state: 'stopped',
      reason: undefined,
      refused: false,
      exit: undefined,
      stderrTail: [],
      since: new Date().toISOString(),
      restarts: 0,
      wanted: config.enabled && this.autoStart,
      client: undefined,
      transport: undefined,
      pingTimer: undefined,
      restartTimer: undefined,
      backoffMs: this.backoff.initialMs,
      generation: 0,
      serverInfo: undefined,
      tools: undefined,
    };
  }

  private async readyClient(id: string): Promise<Client> {
    const managed = this.require(id);
    if (this.shuttingDown) throw new Error(STOPPING);
    if (managed.state !== 'ready' || !managed.client) {
      if (!managed.config.enabled) throw new AdmissionError(id, 'it is disabled in the configuration');
      if (managed.state !== 'starting') await this.startProbe(managed);
      else await this.waitForSettled(managed);
    }
    if (managed.state !== 'ready' || !managed.client) {
      throw new Error(`server '${id}' is ${managed.state}${managed.reason ? `: ${managed.reason}` : ''}`);
    }
    return managed.client;
  }

  private waitForSettled(managed: Managed): Promise<void> {
    return new Promise((resolve) => {
      const check = setInterval(() => {
        if (managed.state !== 'starting') {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
  }

  private async startProbe(managed: Managed): Promise<void> {
    clearTimeout(managed.restartTimer);
    if (this.shuttingDown) return;
    const generation = ++managed.generation;
    const id = managed.config.id;
    this.setState(managed, 'starting', undefined);
    try {
      const verdict = await this.admit(managed.config);
      if (!verdict.ok) throw new AdmissionError(id, verdict.reason);
      const transport = await this.newTransport(managed.config);
      if (generation !== managed.generation) {
        await transport.close().catch(() => undefined);
        return;
      }
      managed.transport = transport;
      const client = new Client({ name: 'switchboard-probe', version: '0.1.0' }, { capabilities: {} });
      managed.client = client;
      client.onclose = () => this.probeClosed(managed, generation, transport);
      client.onerror = (error) => this.logger.debug('probe transport error', { server: id, error: error.message });
      await client.connect(transport, { timeout: this.pingTimeoutMs * 3 });
      if (generation !== managed.generation) return;
      const info = client.getServerVersion();
      managed.serverInfo = info ? { name: info.name, version: info.version } : undefined;
      managed.exit = undefined;
      this.setState(managed, 'ready', undefined);
      managed.pingTimer = setInterval(() => void this.ping(managed, generation), this.pingIntervalMs);
      managed.pingTimer.unref();
      // A server that stays up for a while earns a fresh backoff.
      setTimeout(() => {
        if (managed.generation === generation && managed.state === 'ready') managed.backoffMs = this.backoff.initialMs;
      }, 30_000).unref();
    } catch (error) {
      if (generation !== managed.generation) return;
      const transport = managed.transport;
      this.captureFailure(managed, transport);
      managed.client = undefined;
      managed.transport = undefined;
      await transport?.close().catch(() => undefined);
      const reason = error instanceof AdmissionError ? error.message : `failed to start: ${(error as Error).message}`;
      this.setState(managed, 'failed', reason, error instanceof AdmissionError);
      this.logger.warn('server failed to start', { server: id, reason });
      if (!(error instanceof AdmissionError)) this.scheduleRestart(managed);
    }
  }

  private probeClosed(managed: Managed, generation: number, transport: UpstreamTransport): void {
    if (generation !== managed.generation || this.shuttingDown) return;
    clearInterval(managed.pingTimer);
    if (managed.state === 'starting') return; // startProbe's catch reports it
    this.captureFailure(managed, transport);
    const summary = transport.failure?.().summary ?? 'closed its connection';
    managed.client = undefined;
    managed.transport = undefined;
    this.setState(managed, 'failed', `server ${summary}`);
    this.logger.warn('server stopped unexpectedly', { server: managed.config.id, reason: summary });
    this.scheduleRestart(managed);
  }

  private captureFailure(managed: Managed, transport: UpstreamTransport | undefined): void {
    if (!transport) return;
    const child = transport as { exitInfo?: { code: number | null; signal: string | null }; stderrTail?: () => string[] };
    if (child.exitInfo) managed.exit = { code: child.exitInfo.code, signal: child.exitInfo.signal };
    if (child.stderrTail) managed.stderrTail = child.stderrTail();
  }

  private scheduleRestart(managed: Managed): void {
    if (!managed.wanted || this.shuttingDown) return;
    const delay = managed.backoffMs;
    managed.backoffMs = Math.min(managed.backoffMs * 2, this.backoff.maxMs);
    clearTimeout(managed.restartTimer);
    managed.restartTimer = setTimeout(() => {
      if (!managed.wanted || this.shuttingDown || !this.servers.has(managed.config.id)) return;
      managed.restarts++;
      void this.startProbe(managed);
    }, delay);
    managed.restartTimer.unref();
  }

  private async ping(managed: Managed, generation: number): Promise<void> {
    const client = managed.client;
    if (!client || generation !== managed.generation || managed.state !== 'ready') return;
    try {
      await client.ping({ timeout: this.pingTimeoutMs });
    } catch (error) {
      if (generation !== managed.generation) return;
      this.logger.warn('health ping failed', { server: managed.config.id, error: (error as Error).message });
      // Closing triggers probeClosed → failed → restart with backoff.
      await managed.transport?.close().catch(() => undefined);
    }
  }

  private async stopProbe(managed: Managed, reason: string): Promise<void> {
    managed.generation++;
    clearInterval(managed.pingTimer);
    clearTimeout(managed.restartTimer);
    const transport = managed.transport;
    managed.client = undefined;
    managed.transport = undefined;
    if (transport) await transport.close().catch(() => undefined);
    this.setState(managed, 'stopped', reason);
  }

  private setState(managed: Managed, state: ServerState, reason: string | undefined, refused = false): void {
    managed.state = state;
    managed.reason = reason;
    managed.refused = refused;
    managed.since = new Date().toISOString();
    const status = this.status(managed);
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (error) {
        this.logger.error('status listener failed', { error });
      }
    }
  }

  private status(managed: Managed): ServerStatus {
    return {
      id: managed.config.id,
      transport: managed.config.transport,
      enabled: managed.config.enabled,
      state: managed.state,
      ...(managed.reason ? { reason: managed.reason } : {}),
      ...(managed.refused ? { refused: true } : {}),
      ...(managed.exit ? { exit: managed.exit } : {}),
      stderrTail: this.logsOf(managed),
      since: managed.since,
      restarts: managed.restarts,
      ...(managed.transport?.pid !== undefined ? { pid: managed.transport.pid } : {}),
      ...(managed.serverInfo ? { serverInfo: managed.serverInfo } : {}),
      sandbox: sandboxState(managed.config),
    };
  }

  private logsOf(managed: Managed): string[] {
    const live = (managed.transport as { stderrTail?: () => string[] } | undefined)?.stderrTail?.();
    return (live ?? managed.stderrTail).slice(-50);
  }

  private require(id: string): Managed {
    const managed = this.servers.get(id);
    if (!managed) throw new ServerNotFoundError(id);
    return managed;
  }
}
