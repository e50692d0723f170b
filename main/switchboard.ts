// The product's one composition root. Both `switchboard serve`, the Electron main process and the
// CLI (when no daemon runs) build exactly this, in one fixed order, each part from the ones before
// it: config → policy → supervisor → relay hub → audit → forwarder → API → endpoints. Nothing
// here decides anything; the domain folders do, and this file only wires them.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiContract, type ApiContract } from '../shared/api/contract.ts';
import type { Handlers } from '../shared/api/define.ts';
import type { Config } from '../shared/config.ts';
import { createAppHandlers, type LoginItemControl } from './api/index.ts';
import { createApprovalsHandlers } from './api/approvals.ts';
import { createAuditHandlers } from './api/audit.ts';
import { createClientsHandlers } from './api/clients.ts';
import { ApiDispatcher } from './api/dispatcher.ts';
import { connectEventSources, EventHub } from './api/events.ts';
import { createPolicyHandlers } from './api/policy.ts';
import { createSandboxHandlers } from './api/sandbox.ts';
import { createSecretsHandlers } from './api/secrets.ts';
import { createServersHandlers } from './api/servers.ts';
import { createTokensHandlers } from './api/tokens.ts';
import { createRegistryHandlers } from './api/registry.ts';
import { createGuardrailsHandlers } from './api/guardrails.ts';
import { createAutostartHandlers } from './api/autostart.ts';
import { createProfilesHandlers } from './api/profiles.ts';
import { StartAtLogin } from './autostart/start-at-login.ts';
import { eventStreamRoute } from './api/sse.ts';
import { AuditInterceptor } from './audit/audit-interceptor.ts';
import { AuditOutbox } from './audit/audit-outbox.ts';
import { AuditQueries } from './audit/audit-queries.ts';
import { AuditRetention } from './audit/audit-retention.ts';
import { IndexBackfill } from './audit/index-backfill.ts';
import { auditDbPath } from './audit/database.ts';
import { loadDeviceIdentity } from './audit/device-identity.ts';
import { RetentionSchedule } from './audit/retention-schedule.ts';
import { AuditStore } from './audit/store.ts';
import { HealthQueries } from './audit/health-queries.ts';
import { createHealthHandlers } from './api/health.ts';
import { healthRoute, metricsRoute } from './endpoints/observability-routes.ts';
import { forwarderLag } from './observability/audit-gauges.ts';
import { Observability } from './observability/observability.ts';
import { sloFromInputs } from './observability/slo-monitor.ts';
import { RepeatedFailureLog } from './audit/repeated-failure-log.ts';
import { createStderrLogger, type Logger } from './base/logger.ts';
import { currentEnvironment, type ClientEnvironment } from './clients/adapter.ts';
import { ClientService } from './clients/client-service.ts';
import { createLiveLinkEndpoint } from './clients/link-endpoint.ts';
import { ConfigService } from './config/config-service.ts';
import { ConfigStore } from './config/config-store.ts';
import { resolveDataDir } from './config/data-dir.ts';
import { claimDaemonFile, releaseDaemonFile, socketPathFor, updateDaemonFile, type DaemonInfo } from './endpoints/daemon-file.ts';
import { AuthFailureLog } from './endpoints/auth-failures.ts';
import { tokensOnDisk } from './endpoints/fresh-tokens.ts';
import { HttpEndpoint } from './endpoints/http-endpoint.ts';
import { SocketEndpoint } from './endpoints/socket-endpoint.ts';
import { Federation } from './federation/federation.ts';
import { AuditForwarder, type ForwarderConfig } from './forwarder/audit-forwarder.ts';
import { GatewayBinding } from './forwarder/gateway-binding.ts';
import { FlowGuardrails } from './guardrails/flow-guardrails.ts';
import { createInventorySource } from './forwarder/inventory-source.ts';
import { LifecycleInterceptor } from './lifecycle/lifecycle-interceptor.ts';
import { LifecycleService } from './lifecycle/lifecycle-service.ts';
import type { RegistryStatusOf } from './lifecycle/registry-status.ts';
import { BudgetInterceptor } from './guardrails/budget-interceptor.ts';
import { dlpAuditScrub } from './guardrails/audit-scrub.ts';
import { auditTokenUsage } from './guardrails/budget-usage.ts';
import { DlpInterceptor } from './guardrails/dlp-interceptor.ts';
import { InjectionApprovals } from './guardrails/injection-approvals.ts';
import { InjectionInterceptor } from './guardrails/injection-interceptor.ts';
import { ValidationInterceptor } from './guardrails/validation-interceptor.ts';
import { PolicyStack } from './policy/policy-stack.ts';
import { pinnedTools, ProfileService, shippedProfiles } from './profiles/profile-service.ts';
import { createUserRuleWriter } from './policy/user-rules.ts';
import { RegistryServices } from './registry/registry-services.ts';
import { InProcessClient } from './relay/in-process-client.ts';
import { RelayHub } from './relay/relay-hub.ts';
import type { RestartPolicy } from './relay/relay-session.ts';
import { sandboxSupport } from './sandbox/availability.ts';
import { sandboxState } from './sandbox/sandbox-state.ts';
import { createSecretResolver } from './secrets/resolve-secrets.ts';
import { KeyringSecretStore, useDataDirForKeychain, type SecretStore } from './secrets/secret-store.ts';
import { closeRemoteAuths } from './servers/upstream-factory.ts';
import { Supervisor } from './servers/supervisor.ts';
import type { UpdaterPort } from './updates/update-controller.ts';
import { UpdateService } from './updates/update-service.ts';

export const APP_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What clients are told about their calls in flight when the daemon stops. */
export const DAEMON_STOPPING = 'the Switchboard daemon is stopping';

/** Why an approval cannot be answered in the CLI's own in-process product. */
const NO_APPROVER = 'this call needs the user\'s approval, and nobody can answer it: no Switchboard daemon is running. Start it (`switchboard serve`, or the app) and make the call again, then answer the prompt';

export interface SwitchboardOptions {
  dataDir: string;
  mode: 'desktop' | 'headless';
  /**
   * False builds the product for one CLI command when no daemon runs: nothing listens or claims
   * the data folder, nothing is forwarded or pruned, no server starts until a command needs it,
   * and approvals cannot be answered. Default true.
   */
  listen?: boolean;
  logger?: Logger;
  /** Overrides settings.httpPort (0 = any free port). */
  httpPort?: number;
  /** The built web UI, served at http://127.0.0.1:<port>/ (headless). */
  staticRoot?: string;
  loginItem?: LoginItemControl;
  /** Default: the OS keychain. */
  secretStore?: SecretStore;
  /** Default: the OS path, or $SWITCHBOARD_MANAGED_POLICY. */
  managedPath?: string;
  /** Start probe sessions of enabled servers at start (default true when listening). */
  autoStart?: boolean;
  /** Watch config.json for edits by hand (default true when listening). */
  watchConfig?: boolean;
  fetch?: typeof fetch;
  /** Passed to the forwarder (tests shorten batches and backoff). */
  forwarder?: Partial<Omit<ForwarderConfig, 'url'>>;
  /** Per-message limit on the socket and HTTP bodies (default 4 MiB). */
  maxMessageBytes?: number;
  /** Health ping interval of probe sessions (default 30 s). */
  pingIntervalMs?: number;
  /** Respawn policy of a session's upstream after a crash. */
  sessionRestart?: RestartPolicy;
  /** Where client config files are looked for (default: this user's). */
  clientEnvironment?: ClientEnvironment;
  /** electron-updater's autoUpdater (packaged desktop app only). */
  updater?: UpdaterPort;
  /** The registry's status of each server's version (the registry client's RegistryStatusSource.statusOf). */
  registryStatus?: RegistryStatusOf;
  /** Epoch milliseconds for lifecycle sunsets (tests); default Date.now. */
  now?: () => number;
  /** How often lifecycles are evaluated again for status and the inventory (default 60 s). */
  lifecycleRecheckMs?: number;
}

export class Switchboard {
  readonly config: ConfigService;
  readonly policy: PolicyStack;
  readonly lifecycle: LifecycleService;
  readonly supervisor: Supervisor;
  readonly hub: RelayHub;
  readonly federation: Federation;
  readonly audit: { store: AuditStore; interceptor: AuditInterceptor; queries: AuditQueries; outbox: AuditOutbox; retention: RetentionSchedule };
  readonly forwarder: AuditForwarder;
  readonly observability: Observability;
  readonly contentGuardrails: { budget: BudgetInterceptor; injection: InjectionInterceptor; dlp: DlpInterceptor; validation: ValidationInterceptor };
  readonly guardrails: FlowGuardrails;
  readonly secrets: SecretStore;
  readonly clients: ClientService;
  readonly profiles: ProfileService;
  readonly updates: UpdateService;
  readonly startAtLogin: StartAtLogin;
  /** The catalog, installs, and the registry status of installed servers (lifecycle reads registry.status). */
  readonly registry: RegistryServices;
  readonly events = new EventHub();
  readonly dispatcher: ApiDispatcher<ApiContract>;
  readonly endpoints: { socket: SocketEndpoint; http: HttpEndpoint } | undefined;
  readonly apiToken = randomBytes(32).toString('base64url');
  private readonly options: SwitchboardOptions;
  private readonly logger: Logger;
  private readonly gateway: GatewayBinding;
  private readonly disconnect: Array<() => void> = [];
  private daemonInfo: DaemonInfo | undefined;
  private claimed = false;
  private stopping: Promise<void> | undefined;

  /** Builds and starts everything; an invalid config.json or a second daemon on the folder rejects. */
  static async start(options: SwitchboardOptions): Promise<Switchboard> {
    // Stores built deep inside (OAuth tokens of remote servers) use this folder's keychain service too.
    useDataDirForKeychain(options.dataDir);
    const switchboard = new Switchboard(options);
    try {
      await switchboard.startParts();
    } catch (error) {
      await switchboard.stop();
      throw error;
    }
    return switchboard;
  }

  private constructor(options: SwitchboardOptions) {
    this.options = options;
    const listen = options.listen ?? true;
    const logger = options.logger ?? createStderrLogger('info');
    this.logger = logger;
    this.secrets = options.secretStore ?? new KeyringSecretStore({ dataDir: options.dataDir });

    const config = new ConfigService(new ConfigStore(options.dataDir), logger);
    this.config = config;
    const configuredServer = (id: string) => config.config.servers.find((server) => server.id === id);

    this.policy = new PolicyStack({
      dataDir: options.dataDir,
      ...(options.managedPath ? { managedPath: options.managedPath } : {}),
      userPolicy: () => config.config.settings.userPolicy,
      addUserRule: createUserRuleWriter(config),
      serverConfig: configuredServer,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(listen ? {} : { managedPollMs: 0, watchManaged: false, orgCacheOnly: true, unattended: NO_APPROVER }),
    });
    const engine = () => this.policy.service.engine();
    this.lifecycle = new LifecycleService({
      policy: () => engine().inputs,
      servers: () => config.config.servers,
      ...(options.registryStatus ? { registryStatus: options.registryStatus } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.lifecycleRecheckMs !== undefined ? { recheckMs: options.lifecycleRecheckMs } : {}),
    });
    const lifecycleOf = (id: string) => this.lifecycle.of(id);

    this.supervisor = new Supervisor({
      logger,
      admit: this.policy.admit,
      resolveSecret: createSecretResolver(this.secrets),
      autoStart: options.autoStart ?? listen,
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
      remoteFetch: (server, inner) => this.observability.remoteFetch(server, inner),
    });

    this.hub = new RelayHub({
      upstreams: this.supervisor,
      logger,
      defaultRequestTimeoutMs: () => config.config.settings.requestTimeoutMs,
      ...(options.sessionRestart ? { restart: options.sessionRestart } : {}),
    });

    const store = new AuditStore(auditDbPath(options.dataDir));
    const mergeFailures = new RepeatedFailureLog(logger, 'audit: indexing finished calls (they stay recorded and are retried)');
    store.onMergeError((error) => mergeFailures.failed(error));
    this.disconnect.push(() => mergeFailures.close());
    const identity = loadDeviceIdentity(options.dataDir);
    const settled = { beforeRead: () => void store.settle() };
    const outbox = new AuditOutbox(store.db, settled);
    this.audit = {
      store,
      outbox,
      queries: new AuditQueries(store.db, settled),
      retention: new RetentionSchedule(new AuditRetention(store.db, outbox), { retentionDays: () => engine().auditRetentionDays(), maxRows: () => engine().auditMaxRows() }, logger),
      interceptor: new AuditInterceptor({ store, identity, captureMode: () => engine().auditArguments(), redactPatterns: () => engine().auditRedactPatterns(), sandboxState: (id) => sandboxState(configuredServer(id)), lifecycle: lifecycleOf, scrubArguments: dlpAuditScrub(engine) }),
    };
    this.observability = new Observability({
      logger,
      serviceVersion: APP_VERSION,
      identity,
      settings: () => config.config.settings.observability,
      gateway: () => this.gateway.current(),
      gatewayToken: () => this.gateway.token(),
      sloPolicy: () => sloFromInputs(this.policy.service.engine().inputs),
      serverIds: () => config.config.servers.map((server) => server.id),
      healthQueries: new HealthQueries(store.db, settled),
      writeAudit: async (entry, completion) => void await store.finish(await store.begin(entry), completion),
      emit: (event, data) => this.events.emit(event, data),
      gauges: {
        sessions: () => this.hub.sessions().map((relay) => ({ serverId: relay.session.serverId, transport: relay.session.transport })),
        auditBacklog: () => outbox.pendingCount(),
        forwarderLagSeconds: (() => {
          const lag = forwarderLag(store.db);
          return () => (this.gateway.current() ? lag() : 0);
        })(),
        auditDbPath: auditDbPath(options.dataDir),
      },
    });
    // Tracing outermost (its span covers the whole chain), then audit: it records what policy and approvals refuse, with their decision.
    this.hub.use(this.observability.tracing);
    this.hub.use(this.audit.interceptor);
    this.hub.use(this.policy.interceptor);
    this.hub.use(new LifecycleInterceptor({ lifecycle: lifecycleOf }));
    this.guardrails = new FlowGuardrails({ engine, warn: (message) => logger.warn(message) });
    this.hub.use(this.guardrails.rateLimits);
    this.hub.use(this.guardrails.idempotency);
    this.hub.use(this.guardrails.cache);
    // Content guardrails, after policy (and rate limits, idempotency) and before the breaker: budgets outermost of
    // them (a spent budget refuses first, the size cap sees the final result), then injection, DLP, validation.
    this.contentGuardrails = {
      budget: new BudgetInterceptor({ engine, usedToday: auditTokenUsage(store.db, () => void store.settle()), onBudget: (e) => this.events.emit('guardrail.flag', { kind: 'budget', ...e }) }),
      injection: new InjectionInterceptor({ engine, broker: this.policy.broker, approvals: new InjectionApprovals(listen ? join(options.dataDir, 'guardrail-approvals.json') : undefined), onFlag: (f) => this.events.emit('guardrail.flag', { kind: 'tool', ...f }) }),
      dlp: new DlpInterceptor({ engine, broker: this.policy.broker }),
      validation: new ValidationInterceptor({ engine }),
    };
    for (const guardrail of [this.contentGuardrails.budget, this.contentGuardrails.injection, this.contentGuardrails.dlp, this.contentGuardrails.validation]) this.hub.use(guardrail);
    this.hub.use(this.guardrails.breaker);

    this.profiles = new ProfileService({
      config: () => config.config,
      shipped: () => shippedProfiles(engine().inputs),
      admit: this.policy.admit,
      // A running server's tools as its clients get them (the probe's list after policy); otherwise the pin store's.
      liveTools: async (id) => (this.supervisor.get(id).state === 'ready' ? this.policy.interceptor.visibleTools(engine(), id, await this.supervisor.tools(id)) : undefined),
      pinnedTools: (id) => pinnedTools(this.policy.pins, id, (tool) => engine().evaluate({ serverId: id, ...(configuredServer(id) ? { server: configuredServer(id)! } : {}), name: tool.name, annotations: tool.annotations }).action === 'deny'),
    });

    this.federation = new Federation({
      hub: this.hub,
      logger,
      version: APP_VERSION,
      profileByName: (name) => this.profiles.list().find((effective) => effective.name === name)?.profile,
      resolveServers: (profile) => {
        const resolved = this.profiles.resolve(this.profiles.get(profile.name));
        return { servers: [...resolved.servers], missing: resolved.missing.map((m) => ({ server: m.server, why: m.reason })) };
      },
      listEpoch: engine,
      audit: this.audit.interceptor,
      // A profile's `mostUsed`: this client's calls per tool over the last 30 days.
      usage: (clientLabel) => new Map(this.audit.queries.stats({ client: clientLabel, groupBy: 'tool', since: Date.now() - 30 * 86_400_000 })
        .filter((row) => row.tool !== null).map((row) => [`${row.serverId}/${row.tool}`, row.count])),
    });

    this.gateway = new GatewayBinding({
      fromPolicy: () => engine().gateway(),
      settings: () => config.config.settings,
      readSecret: (name) => this.secrets.get(name),
      logger,
      ...(options.forwarder ? { forwarderOptions: options.forwarder } : {}),
    });
    this.forwarder = new AuditForwarder({
      outbox,
      identity: { deviceId: identity.deviceId, osUser: identity.osUser, hostName: identity.hostName, serviceVersion: APP_VERSION },
      getToken: () => this.gateway.token(),
      inventory: createInventorySource(this.supervisor, this.policy.admit, lifecycleOf),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }, null);

    this.clients = new ClientService({
      config: { read: async () => config.config, update: (change) => config.update((draft) => { change(draft); }) },
      secrets: this.secrets,
      endpoint: createLiveLinkEndpoint({
        dataDir: options.dataDir,
        configuredPort: () => config.config.settings.httpPort,
        listeningPort: () => this.daemonInfo?.httpPort,
      }),
      env: options.clientEnvironment ?? currentEnvironment(),
      admit: this.policy.admit,
      profileServers: (name) => {
        const profile = this.profiles.list().find((p) => p.name === name);
        return profile ? this.profiles.resolve(profile).servers : `no profile "${name}"; see \`switchboard profile list\``;
      },
    });

    this.updates = new UpdateService({
      currentVersion: APP_VERSION,
      ...(options.updater ? { updater: options.updater } : {}),
      inputs: () => ({ user: config.config.settings.updates, policy: engine().setting('updates') }),
      log: (message) => logger.info(message),
    });
    // settings.startAtLogin is the one source of truth; the OS login item follows it.
    this.startAtLogin = new StartAtLogin({
      readSetting: () => config.config.settings.startAtLogin ?? false,
      writeSetting: async (enabled) => {
        await config.update((draft) => {
          draft.settings.startAtLogin = enabled;
        });
      },
      policy: () => engine().setting('startAtLogin'),
      ...(options.loginItem ? { os: options.loginItem } : {}),
      log: (message) => logger.info(message),
    });

    this.registry = new RegistryServices({
      dataDir: options.dataDir,
      sources: () => engine().registries.sources,
      admit: this.policy.admit,
      servers: () => config.config.servers,
      updateServers: (change) => config.update((draft) => { change(draft.servers); }),
      secrets: this.secrets,
      logger,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });

    const authFailures = new AuthFailureLog(logger);
    this.disconnect.push(this.observability.connect({ audit: this.audit.interceptor, authFailures, supervisor: this.supervisor, sessions: this.hub, approvals: this.policy.broker }));
    this.observability.connectHealth({ servers: () => this.supervisor.list(), authFailures: () => authFailures.summary() });
    const uiCalls = new InProcessClient(this.hub, { clientName: 'switchboard-ui', clientVersion: APP_VERSION, label: 'ui' });
    const cliCalls = new InProcessClient(this.hub, { clientName: 'switchboard-cli', clientVersion: APP_VERSION, label: 'cli' });
    const handlers: Handlers<ApiContract> = {
      ...createAppHandlers({ version: APP_VERSION, dataDir: options.dataDir, mode: options.mode, ...(options.loginItem ? { loginItem: this.startAtLogin.control() } : {}) }, () => Object.keys(handlers).sort()),
      ...this.updates.handlers(),
      ...createAutostartHandlers(this.startAtLogin),
      ...createServersHandlers({
        config,
        supervisor: this.supervisor,
        hub: this.hub,
        lifecycle: lifecycleOf,
        breakerState: (id) => this.guardrails.breaker.breakerState(id),
        calls: (caller) => (caller.kind === 'cli' || !listen ? cliCalls : uiCalls),
        daemonInfo: () => ({
          pid: process.pid,
          dataDir: options.dataDir,
          httpPort: this.daemonInfo?.httpPort ?? 0,
          socketPath: socketPathFor(options.dataDir),
          startedAt: this.daemonInfo?.startedAt ?? new Date().toISOString(),
          authFailures: authFailures.summary(),
        }),
      }),
      ...createPolicyHandlers({
        engine,
        reload: async () => {
          await this.policy.service.reloadManaged();
          return this.policy.service.refreshOrg();
        },
        pins: this.policy.pins,
        serverConfig: configuredServer,
        // A one-off CLI command does not start a server only to read its annotations: the answer says defaults were assumed.
        ...(listen ? { lookupTool: async (id: string, name: string) => (await this.supervisor.tools(id)).find((tool) => tool.name === name) } : {}),
      }),
      ...createApprovalsHandlers({ broker: this.policy.broker }),
      ...createAuditHandlers({ queries: this.audit.queries, forwarder: this.forwarder }),
      ...createSecretsHandlers({ secretStore: this.secrets }),
      ...createClientsHandlers({ clients: this.clients }),
      ...createTokensHandlers({ config, checkProfile: (name) => (this.profiles.list().some((p) => p.name === name) ? undefined : `no profile "${name}"; see \`switchboard profile list\``) }),
      ...createRegistryHandlers({ ...this.registry, servers: () => config.config.servers }),
      ...createHealthHandlers({ report: (windowMs) => this.observability.health.report(windowMs), config }),
      ...createGuardrailsHandlers({ flagged: (serverId) => this.contentGuardrails.injection.flagged(serverId) }),
      ...createProfilesHandlers({ profiles: this.profiles, config }),
      ...createSandboxHandlers({ serverConfig: configuredServer, updateConfig: (change) => config.update((draft) => { change(draft); }), support: sandboxSupport }),
    };
    this.dispatcher = new ApiDispatcher(apiContract, handlers);

    this.endpoints = listen
      ? {
        socket: new SocketEndpoint({ path: socketPathFor(options.dataDir), hub: this.hub, federation: this.federation, logger, ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}) }),
        http: new HttpEndpoint({
          hub: this.hub,
          federation: this.federation,
          logger,
          tokens: () => config.config.tokens,
          freshTokens: tokensOnDisk(options.dataDir),
          authFailures,
          apiToken: this.apiToken,
          api: (method, input, caller) => this.dispatcher.dispatch(method, input, caller),
          ...(options.staticRoot ? { staticRoot: options.staticRoot } : {}),
          ...(options.maxMessageBytes ? { maxBodyBytes: options.maxMessageBytes } : {}),
        }),
      }
      : undefined;
    if (this.endpoints) {
      const route = eventStreamRoute(this.events, () => this.apiToken);
      this.endpoints.http.route(route.prefix, route.handler);
      this.endpoints.http.route('/metrics', metricsRoute({ tokenSha256: () => config.config.settings.observability?.metricsTokenSha256, text: () => this.observability.metrics.text(), authFailures }));
      this.endpoints.http.route('/health', healthRoute(() => this.daemonInfo !== undefined && this.stopping === undefined));
    }
  }

  /** Where the daemon listens (listening products only, once started). */
  get info(): DaemonInfo {
    if (!this.daemonInfo) throw new Error('this Switchboard does not listen');
    return this.daemonInfo;
  }

  private async startParts(): Promise<void> {
    const initial = this.config.load();
    await this.policy.start();
    const endpoints = this.endpoints;
    const info: DaemonInfo = { pid: process.pid, httpPort: 0, socketPath: socketPathFor(this.options.dataDir), apiToken: this.apiToken, startedAt: new Date().toISOString() };
    if (endpoints) {
      await claimDaemonFile(this.options.dataDir, info);
      this.claimed = true;
      // Only the daemon that owns the folder, and before any new call: rows a killed daemon
      // left in flight become `interrupted` records.
      const recovered = this.audit.store.recoverInterrupted();
      if (recovered > 0) this.logger.warn('audit: calls interrupted by the last stop were recorded as interrupted', { count: recovered });
    }
    // Servers are known before the socket opens: a bridge that connects at once must find them.
    this.supervisor.reconcile(initial.servers);
    if (endpoints) this.lifecycle.start();
    this.disconnect.push(
      this.config.onChange((next, previous) => this.configChanged(next, previous)),
      this.policy.onChange(() => this.policyChanged()),
      this.lifecycle.onChange(() => this.forwarder.inventoryChanged()),
      connectEventSources(this.events, { supervisor: this.supervisor, approvals: this.policy.broker, audit: this.audit.interceptor, breaker: this.guardrails.breaker }),
    );
    if (!endpoints) return;
    // IT's inventory carries tool names: send it again once a server is up.
    this.disconnect.push(this.supervisor.onStatus((status) => {
      if (status.state === 'ready') this.forwarder.inventoryChanged();
    }));
    await endpoints.socket.listen();
    info.httpPort = await endpoints.http.listen(this.options.httpPort ?? initial.settings.httpPort);
    updateDaemonFile(this.options.dataDir, info);
    this.daemonInfo = info;
    if (this.options.watchConfig ?? true) this.config.watch();
    this.gateway.apply(this.forwarder);
    this.forwarder.start();
    this.observability.start();
    this.audit.retention.start();
    const indexBackfill = new IndexBackfill(this.audit.store.db, this.logger);
    indexBackfill.start();
    this.disconnect.push(() => indexBackfill.stop());
    this.updates.start();
    this.registry.status.start();
    void this.startAtLogin.apply();
    this.logger.info('daemon started', { dataDir: this.options.dataDir, httpPort: info.httpPort, socket: info.socketPath, servers: initial.servers.length });
  }

  /** Closes endpoints and sessions, kills every child tree, removes daemon.json. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.config.unwatch();
      this.lifecycle.stop();
      this.audit.retention.stop();
      this.updates.stop();
      this.registry.status.stop();
      for (const off of this.disconnect.splice(0)) off();
      // Fail closed, not silent: every call in flight is answered with why before any client
      // connection closes (a stream ended without an answer leaves a client waiting forever).
      await this.hub.shutdown(DAEMON_STOPPING);
      if (this.endpoints) await Promise.allSettled([this.endpoints.socket.close(), this.endpoints.http.close()]);
      await this.federation.closeAll();
      await this.hub.closeAll();
      await this.supervisor.shutdown();
      await closeRemoteAuths();
      this.policy.stop();
      await this.forwarder.stop();
      await this.observability.stop();
      this.audit.store.close();
      if (this.claimed) releaseDaemonFile(this.options.dataDir);
      if (this.endpoints) this.logger.info('daemon stopped');
    })();
    return this.stopping;
  }

  /** One configuration change event: servers, sessions, user rules, gateway, inventory. */
  private configChanged(next: Config, previous: Config): void {
    this.supervisor.reconcile(next.servers);
    for (const server of previous.servers) {
      if (!next.servers.some((s) => s.id === server.id)) void this.hub.closeServer(server.id);
    }
    // Rebuilds the engine only when the user rules changed; policyChanged() follows if it did.
    this.policy.userPolicyChanged();
    this.lifecycle.evaluate();
    this.gateway.apply(this.forwarder);
    this.observability.apply();
    this.forwarder.inventoryChanged();
    // A server installed or upgraded meanwhile has a status to read.
    if (this.endpoints) void this.registry.status.refresh();
    this.applyDesktopSettings();
  }

  /** A new engine (managed file, org document or user rules changed): admission is decided again. */
  private policyChanged(): void {
    this.guardrails.policyChanged();
    this.supervisor.reviewAdmission();
    void this.hub.reviewAdmission();
    this.lifecycle.evaluate();
    this.gateway.apply(this.forwarder);
    this.observability.apply();
    this.forwarder.inventoryChanged();
    this.applyDesktopSettings();
  }

  /** settings.updates and settings.startAtLogin, or the policy's say on them, may have changed. */
  private applyDesktopSettings(): void {
    if (!this.endpoints) return;
    this.updates.refresh();
    void this.startAtLogin.apply();
  }
}

/**
 * The daemon inside the Electron main process (main/app/start-daemon.ts loads this at run time):
 * the same Switchboard as `switchboard serve`, on the default data folder.
 */
export async function startDesktopDaemon(options: { mode: 'desktop'; loginItem: LoginItemControl; updater?: UpdaterPort }) {
  const switchboard = await Switchboard.start({ dataDir: resolveDataDir(undefined), mode: options.mode, loginItem: options.loginItem, ...(options.updater ? { updater: options.updater } : {}) });
  return {
    dispatcher: switchboard.dispatcher,
    events: { subscribe: (listener: Parameters<EventHub['subscribe']>[0]) => switchboard.events.subscribe(listener) },
    stop: () => switchboard.stop(),
  };
}
