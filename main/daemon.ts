// The composition root of the daemon: config store, supervisor, relay hub, the local socket
// and the loopback HTTP endpoint. `switchboard serve` runs it alone; the Electron main
// process runs the same class. Interceptors (policy, approvals, audit), extra API handlers,
// HTTP routes and the web UI folder are plugged in through the options.
import { randomBytes } from 'node:crypto';
import type { ContractSpec, Handlers } from '../shared/api/define.ts';
import { serversContract } from '../shared/api/servers.ts';
import type { Config } from '../shared/config.ts';
import { ApiDispatcher } from './api/dispatcher.ts';
import { createServersHandlers } from './api/servers.ts';
import { ConfigStore } from './config/config-store.ts';
import { claimDaemonFile, releaseDaemonFile, socketPathFor, updateDaemonFile, type DaemonInfo } from './endpoints/daemon-file.ts';
import { HttpEndpoint, type RouteHandler } from './endpoints/http-endpoint.ts';
import { tokensOnDisk } from './endpoints/fresh-tokens.ts';
import { SocketEndpoint } from './endpoints/socket-endpoint.ts';
import type { Interceptor } from './relay/interceptor.ts';
import { createStderrLogger, type Logger } from './relay/logger.ts';
import { RelayHub } from './relay/relay-hub.ts';
import type { RestartPolicy } from './relay/relay-session.ts';
import { noSecretStore, type ResolveSecret } from './servers/child-process-transport.ts';
import { Supervisor, admitAll, type Admit } from './servers/supervisor.ts';

/** What clients are told about their calls in flight when the daemon stops. */
export const DAEMON_STOPPING = 'the Switchboard daemon is stopping';

export interface DaemonOptions {
  dataDir: string;
  /** Run in this order, outermost first, on the methods each names. */
  interceptors?: Interceptor[];
  /** Server admission (policy); default admits all. */
  admit?: Admit;
  /** Turns `{secret: name}` references into values; default throws "no secret store". */
  resolveSecret?: ResolveSecret;
  /** More API methods (merged over the servers contract). */
  apiContract?: ContractSpec;
  /** Their handlers, or a function building them from the started daemon's parts. */
  apiHandlers?: Record<string, unknown> | ((daemon: Daemon) => Record<string, unknown>);
  /** Extra HTTP routes behind the Host/Origin checks (they authenticate by themselves). */
  routes?: Array<{ prefix: string; handler: RouteHandler }>;
  /** The web UI's built files, served at http://127.0.0.1:<port>/. */
  staticRoot?: string;
  logger?: Logger;
  /** Overrides settings.httpPort (0 = any free port). */
  httpPort?: number;
  /** Start probe sessions of enabled servers at start (default true). */
  autoStart?: boolean;
  /** Per-message limit on the socket and HTTP bodies (default 4 MiB). */
  maxMessageBytes?: number;
  /** Health ping interval of probe sessions (default 30 s). */
  pingIntervalMs?: number;
  /** Respawn policy of a session's upstream after a crash. */
  sessionRestart?: RestartPolicy;
  /** Watch config.json for edits by the CLI or by hand (default true). */
  watchConfig?: boolean;
  /** Runs once the data folder is claimed (no other daemon on it) and before anything listens. */
  beforeListen?: () => void | Promise<void>;
  /** Called after config.json was (re)loaded and applied to the supervisor. */
  onConfigChange?: (config: Config) => void;
}

export class Daemon {
  readonly dataDir: string;
  readonly config: ConfigStore;
  readonly logger: Logger;
  readonly supervisor: Supervisor;
  readonly hub: RelayHub;
  readonly socket: SocketEndpoint;
  readonly http: HttpEndpoint;
  readonly apiToken: string;
  readonly dispatcher: ApiDispatcher<ContractSpec>;
  /** The servers.* and daemon.* handlers, for a composition that builds the whole API. */
  readonly serversHandlers: Handlers<typeof serversContract>;
  private readonly options: DaemonOptions;
  private current: Config | undefined;
  private info: DaemonInfo | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(options: DaemonOptions) {
    this.options = options;
    this.dataDir = options.dataDir;
    this.logger = options.logger ?? createStderrLogger('info');
    this.config = new ConfigStore(this.dataDir);
    this.apiToken = randomBytes(32).toString('base64url');
    this.supervisor = new Supervisor({
      logger: this.logger,
      admit: options.admit ?? admitAll,
      resolveSecret: options.resolveSecret ?? noSecretStore,
      autoStart: options.autoStart ?? true,
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    });
    this.hub = new RelayHub({
      upstreams: this.supervisor,
      logger: this.logger,
      interceptors: options.interceptors ?? [],
      defaultRequestTimeoutMs: () => this.current?.settings.requestTimeoutMs ?? 60_000,
      ...(options.sessionRestart ? { restart: options.sessionRestart } : {}),
    });
    const contract: ContractSpec = { ...serversContract, ...options.apiContract };
    const handlers: Record<string, unknown> = {};
    this.dispatcher = new ApiDispatcher(contract, handlers as Partial<Handlers<ContractSpec>>);
    this.socket = new SocketEndpoint({ path: socketPathFor(this.dataDir), hub: this.hub, logger: this.logger, ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}) });
    this.http = new HttpEndpoint({
      hub: this.hub,
      logger: this.logger,
      tokens: () => this.current?.tokens ?? [],
      freshTokens: tokensOnDisk(this.dataDir),
      apiToken: this.apiToken,
      api: (method, input) => this.dispatcher.dispatch(method, input, { kind: 'http' }),
      ...(options.staticRoot ? { staticRoot: options.staticRoot } : {}),
      ...(options.maxMessageBytes ? { maxBodyBytes: options.maxMessageBytes } : {}),
    });
    for (const route of options.routes ?? []) this.http.route(route.prefix, route.handler);
    // Handlers are filled in here so that a handler factory can see the whole daemon.
    this.serversHandlers = createServersHandlers({
      config: this.config,
      supervisor: this.supervisor,
      hub: this.hub,
      reconcile: () => this.reloadConfig(),
      daemonInfo: () => ({
        pid: process.pid,
        dataDir: this.dataDir,
        httpPort: this.http.port,
        socketPath: this.socket.path,
        startedAt: this.info?.startedAt ?? new Date().toISOString(),
        authFailures: this.http.authFailures.summary(),
      }),
    });
    Object.assign(handlers, this.serversHandlers);
    const extra = typeof options.apiHandlers === 'function' ? options.apiHandlers(this) : options.apiHandlers;
    Object.assign(handlers, extra ?? {});
  }

  /** Where the daemon listens, once started. */
  get daemonInfo(): DaemonInfo | undefined {
    return this.info;
  }

  get currentConfig(): Config | undefined {
    return this.current;
  }

  /** Loads config (an invalid file stops the start with the error), claims the folder, listens. */
  async start(): Promise<DaemonInfo> {
    if (this.started) throw new Error('daemon already started');
    this.config.ensureDataDir();
    this.current = this.config.load();
    const info: DaemonInfo = {
      pid: process.pid,
      httpPort: 0,
      socketPath: this.socket.path,
      apiToken: this.apiToken,
      startedAt: new Date().toISOString(),
    };
    claimDaemonFile(this.dataDir, info);
    this.started = true;
    try {
      await this.options.beforeListen?.();
    } catch (error) {
      await this.stop();
      throw error;
    }
    // Servers are known before the socket opens: a bridge that connects at once must find them.
    this.supervisor.reconcile(this.current.servers);
    try {
      await this.socket.listen();
      info.httpPort = await this.http.listen(this.options.httpPort ?? this.current.settings.httpPort);
      updateDaemonFile(this.dataDir, info);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.info = info;
    if (this.options.watchConfig ?? true) this.config.watch(() => this.reloadConfig());
    this.logger.info('daemon started', { dataDir: this.dataDir, httpPort: info.httpPort, socket: info.socketPath, servers: this.current.servers.length });
    return info;
  }

  /** Re-reads config.json; an invalid file is logged and the last good config stays in force. */
  reloadConfig(): void {
    try {
      const next = this.config.load();
      const removed = (this.current?.servers ?? []).filter((server) => !next.servers.some((s) => s.id === server.id));
      this.current = next;
      this.supervisor.reconcile(next.servers);
      for (const server of removed) void this.hub.closeServer(server.id);
      this.options.onConfigChange?.(next);
    } catch (error) {
      this.logger.error('config.json is invalid; keeping the last good configuration', { error: (error as Error).message });
    }
  }

  /** Closes endpoints and sessions, kills every child tree, removes daemon.json. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.config.unwatch();
      // Fail closed, not silent: every call in flight is answered with why before any client
      // connection closes (a stream ended without an answer leaves a client waiting forever).
      await this.hub.shutdown(DAEMON_STOPPING);
      await Promise.allSettled([this.socket.close(), this.http.close()]);
      await this.hub.closeAll();
      await this.supervisor.shutdown();
      if (this.started) releaseDaemonFile(this.dataDir);
      this.logger.info('daemon stopped');
    })();
    return this.stopping;
  }
}
