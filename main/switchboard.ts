// The product's composition root: the relay daemon with every capability plugged in — policy
// (admission, tool rules, pinning, approvals), the audit store and its forwarder, secrets from
// the OS keychain, client linking, UI events — and the one API they all answer through. Both
// `switchboard serve` and the Electron main process start exactly this.
import { readFileSync } from 'node:fs';
import type { ConfigStore } from './config/config-store.ts';
import { resolveDataDir } from './config/data-dir.ts';
import { apiContract, type ApiContract } from '../shared/api/contract.ts';
import type { Handlers } from '../shared/api/define.ts';
import type { CaptureMode } from '../shared/audit.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { ToolRule } from '../shared/policy.ts';
import { createAuditHandlers } from './api/audit.ts';
import { createClientsHandlers } from './api/clients.ts';
import { connectEventSources, EventHub } from './api/events.ts';
import { createApiHandlers, type LoginItemControl } from './api/index.ts';
import { createSandboxHandlers } from './api/sandbox.ts';
import { createSecretsHandlers } from './api/secrets.ts';
import { eventStreamRoute } from './api/sse.ts';
import { AuditInterceptor } from './audit/audit-interceptor.ts';
import { AuditOutbox } from './audit/audit-outbox.ts';
import { AuditQueries } from './audit/audit-queries.ts';
import { AuditRetention } from './audit/audit-retention.ts';
import { auditDbPath } from './audit/database.ts';
import { loadDeviceIdentity } from './audit/device-identity.ts';
import { AuditStore } from './audit/store.ts';
import { currentEnvironment } from './clients/adapter.ts';
import { ClientService } from './clients/client-service.ts';
import type { ConfigAccess } from './clients/config-access.ts';
import { createLinkEndpoint } from './clients/link-endpoint.ts';
import { Daemon } from './daemon.ts';
import type { DaemonInfo } from './endpoints/daemon-file.ts';
import { AuditForwarder, type ForwarderConfig } from './forwarder/audit-forwarder.ts';
import type { InventoryServer } from './forwarder/inventory.ts';
import { PolicyStack } from './policy/policy-stack.ts';
import { createStderrLogger, type Logger } from './relay/logger.ts';
import { sandboxSupport } from './sandbox/availability.ts';
import { sandboxState } from './sandbox/sandbox-state.ts';
import { closeRemoteAuths } from './servers/upstream-factory.ts';
import { createSecretResolver } from './secrets/resolve-secrets.ts';
import { KeyringSecretStore, type SecretStore } from './secrets/secret-store.ts';

export const APP_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** Size cap of the audit database when no policy sets one (oldest rows go first, counted as dropped). */
const DEFAULT_AUDIT_MAX_BYTES = 1024 * 1024 * 1024;
const DEFAULT_RETENTION_DAYS = 90;

export interface SwitchboardOptions {
  dataDir: string;
  mode: 'desktop' | 'headless';
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
  /** Start probe sessions of enabled servers at start (default true). */
  autoStart?: boolean;
  watchConfig?: boolean;
  fetch?: typeof fetch;
  /** Passed to the forwarder (tests shorten batches and backoff). */
  forwarder?: Partial<Omit<ForwarderConfig, 'url'>>;
}

export class Switchboard {
  readonly daemon: Daemon;
  readonly policy: PolicyStack;
  readonly audit: { store: AuditStore; interceptor: AuditInterceptor; queries: AuditQueries; outbox: AuditOutbox; retention: AuditRetention };
  readonly forwarder: AuditForwarder;
  readonly events = new EventHub();
  readonly secrets: SecretStore;
  readonly clients: ClientService;
  private readonly options: SwitchboardOptions;
  private readonly logger: Logger;
  private disconnectEvents: (() => void) | undefined;
  private stopAdmissionWatch: (() => void) | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private gatewayKey = '';
  private stopping: Promise<void> | undefined;

  private constructor(options: SwitchboardOptions) {
    this.options = options;
    this.logger = options.logger ?? createStderrLogger('info');
    this.secrets = options.secretStore ?? new KeyringSecretStore();
    const ref: { daemon?: Daemon } = {};
    const configStore = (): ConfigStore => ref.daemon!.config;

    this.policy = new PolicyStack({
      dataDir: options.dataDir,
      ...(options.managedPath ? { managedPath: options.managedPath } : {}),
      userPolicy: () => ref.daemon?.currentConfig?.settings.userPolicy,
      addUserRule: (rule) => this.addUserRule(rule),
      serverConfig: (id) => ref.daemon?.supervisor.config(id),
      lookupTool: async (id, name) => (await ref.daemon!.supervisor.tools(id)).find((tool) => tool.name === name),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });

    const store = new AuditStore(auditDbPath(options.dataDir));
    const identity = loadDeviceIdentity(options.dataDir);
    store.onMergeError((error) => this.logger.error('audit: indexing finished calls failed; they stay recorded and are retried', { error: error.message }));
    const settled = { beforeRead: () => void store.settle() };
    const outbox = new AuditOutbox(store.db, settled);
    this.audit = {
      store,
      outbox,
      queries: new AuditQueries(store.db, settled),
      retention: new AuditRetention(store.db, outbox),
      interceptor: new AuditInterceptor({ store, identity, captureMode: () => this.captureMode(), redactPatterns: () => this.redactPatterns(), sandboxState: (id) => sandboxState(ref.daemon?.supervisor.config(id)) }),
    };
    this.forwarder = new AuditForwarder({
      outbox,
      identity: { deviceId: identity.deviceId, osUser: identity.osUser, hostName: identity.hostName, serviceVersion: APP_VERSION },
      getToken: () => this.gatewayToken(),
      inventory: { listServers: () => this.inventory() },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }, null);

    // Before the daemon: its constructor builds the API handlers, which hold this service.
    const configAccess: ConfigAccess = {
      read: async () => configStore().load(),
      // Applied at once, not when the file watcher notices: a client linked now connects now.
      update: async (change) => {
        const saved = await configStore().update((config) => {
          change(config);
        });
        ref.daemon!.reloadConfig();
        return saved;
      },
    };
    this.clients = new ClientService({
      config: configAccess,
      secrets: this.secrets,
      endpoint: {
        bridgeCommand: (id) => this.linkEndpoint().bridgeCommand(id),
        checkUrlLinks: () => this.linkEndpoint().checkUrlLinks(),
        url: (id) => this.linkEndpoint().url(id),
        stableUrl: (id) => this.linkEndpoint().stableUrl(id),
        pointsHere: (entry) => this.linkEndpoint().pointsHere(entry),
      },
      env: currentEnvironment(),
      admit: (server) => this.policy.admit(server),
    });
    this.daemon = new Daemon({
      dataDir: options.dataDir,
      logger: this.logger,
      // Audit outermost: it records what policy and approvals refuse, with their decision.
      interceptors: [this.audit.interceptor, this.policy.interceptor],
      admit: this.policy.admit,
      resolveSecret: createSecretResolver(this.secrets),
      apiContract,
      apiHandlers: (daemon) => this.apiHandlers(daemon),
      routes: [eventStreamRoute(this.events, () => ref.daemon!.apiToken)],
      ...(options.httpPort !== undefined ? { httpPort: options.httpPort } : {}),
      ...(options.staticRoot ? { staticRoot: options.staticRoot } : {}),
      ...(options.autoStart !== undefined ? { autoStart: options.autoStart } : {}),
      ...(options.watchConfig !== undefined ? { watchConfig: options.watchConfig } : {}),
      onConfigChange: () => this.configChanged(),
      // Only the daemon that owns the folder, and before any new call: rows a killed daemon
      // left in flight become `interrupted` records.
      beforeListen: () => {
        const recovered = this.audit.store.recoverInterrupted();
        if (recovered > 0) this.logger.warn('audit: calls interrupted by the last stop were recorded as interrupted', { count: recovered });
      },
    });
    ref.daemon = this.daemon;
  }

  /** Builds and starts everything; an invalid config.json or a second daemon on the folder rejects. */
  static async start(options: SwitchboardOptions): Promise<Switchboard> {
    const switchboard = new Switchboard(options);
    await switchboard.startParts();
    return switchboard;
  }

  get info(): DaemonInfo {
    return this.daemon.daemonInfo!;
  }

  /** The API every front end uses (IPC, /api, the CLI). */
  get dispatcher() {
    return this.daemon.dispatcher;
  }

  private async startParts(): Promise<void> {
    await this.policy.start();
    try {
      await this.daemon.start();
      // A server the policy stops admitting (new managed or org document) is stopped.
      this.stopAdmissionWatch = this.policy.keepAdmitted(this.daemon.supervisor);
    } catch (error) {
      this.policy.stop();
      this.audit.store.close();
      throw error;
    }
    // IT's inventory carries tool names: send it again once a server is up.
    const offReady = this.daemon.supervisor.onStatus((status) => {
      if (status.state === 'ready') this.forwarder.inventoryChanged();
    });
    const disconnectSources = connectEventSources(this.events, {
      supervisor: this.daemon.supervisor,
      approvals: this.policy.broker,
      audit: this.audit.interceptor,
    });
    // A new managed or org document may name another gateway, or change what the inventory says.
    const policyChanged = () => {
      this.applyGateway();
      this.forwarder.inventoryChanged();
    };
    this.policy.service.events.on('changed', policyChanged);
    this.disconnectEvents = () => {
      offReady();
      disconnectSources();
      this.policy.service.events.off('changed', policyChanged);
    };
    this.applyGateway();
    this.forwarder.start();
    this.pruneAudit();
    this.retentionTimer = setInterval(() => this.pruneAudit(), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.retentionTimer);
      this.disconnectEvents?.();
      this.stopAdmissionWatch?.();
      await this.daemon.stop();
      await closeRemoteAuths();
      this.policy.stop();
      await this.forwarder.stop();
      this.audit.store.close();
    })();
    return this.stopping;
  }

  private apiHandlers(daemon: Daemon): Record<string, unknown> {
    return createApiHandlers({
      version: APP_VERSION,
      dataDir: this.options.dataDir,
      mode: this.options.mode,
      ...(this.options.loginItem ? { loginItem: this.options.loginItem } : {}),
      domainHandlers: [
        // The UI's "try a tool" call obeys the same tool rules as a client's call.
        this.policy.guardTestCalls(daemon.serversHandlers),
        this.policy.handlers(),
        createAuditHandlers({ queries: this.audit.queries, forwarder: this.forwarder }),
        createSecretsHandlers({ secretStore: this.secrets }),
        createClientsHandlers({ clients: this.clients }),
        createSandboxHandlers({ serverConfig: (id) => daemon.supervisor.config(id), updateConfig: (change) => daemon.config.update(change), reconcile: () => daemon.reloadConfig(), support: sandboxSupport }),
      ],
    }) as Partial<Handlers<ApiContract>> as Record<string, unknown>;
  }

  /**
   * URL links name the configured port (settings.httpPort), which every start listens on; the port
   * this run listens on is passed only so that linking is refused while the two differ (`serve
   * --port N`, or a free port for 0): such a link would break at the next start. The port is read
   * from config.json as saved, so a port the user just set counts before the file watcher fires.
   */
  private linkEndpoint() {
    const configured = this.daemon.config.load().settings.httpPort;
    return createLinkEndpoint({ dataDir: this.options.dataDir, httpPort: configured, listeningPort: this.daemon.http.port });
  }

  private redactPatterns(): readonly string[] {
    const value = this.policy.service.engine().setting('audit.redactPatterns')?.value;
    return Array.isArray(value) ? (value as string[]) : [];
  }

  private captureMode(): CaptureMode {
    const value = this.policy.service.engine().setting('audit.arguments')?.value;
    return value === 'none' || value === 'full' || value === 'redacted' ? value : 'redacted';
  }

  /** "Always allow": inserts the rule where `position` says, computed from the rules being written (never in front of the user's own denies). */
  private async addUserRule(insertion: { rule: ToolRule; position(tools: readonly ToolRule[]): number }): Promise<void> {
    await this.daemon.config.update((config) => {
      const user = config.settings.userPolicy ?? {};
      const tools = [...(user.tools ?? [])];
      tools.splice(insertion.position(tools), 0, insertion.rule);
      config.settings.userPolicy = { ...user, tools };
    });
    this.daemon.reloadConfig();
  }

  private configChanged(): void {
    this.policy.userPolicyChanged();
    this.applyGateway();
    this.forwarder.inventoryChanged();
  }

  /** The gateway a policy names wins over the one in settings (a managed policy may lock it). */
  private gatewaySettings(): { url: string; credential?: string } | undefined {
    const fromPolicy = this.policy.service.engine().setting('gateway')?.value as { url?: string; credential?: string } | undefined;
    if (fromPolicy?.url) return { url: fromPolicy.url, ...(fromPolicy.credential ? { credential: fromPolicy.credential } : {}) };
    return this.daemon.currentConfig?.settings.gateway;
  }

  private applyGateway(): void {
    const gateway = this.gatewaySettings();
    const key = JSON.stringify(gateway ?? null);
    if (key === this.gatewayKey) return;
    this.gatewayKey = key;
    this.forwarder.configure(gateway ? { ...this.options.forwarder, url: gateway.url } : null);
    this.logger.info(gateway ? 'audit forwarding to the gateway' : 'audit forwarding off (no gateway configured)', gateway ? { url: gateway.url } : {});
  }

  private async gatewayToken(): Promise<string | undefined> {
    const credential = this.gatewaySettings()?.credential;
    if (!credential) return undefined;
    return (await this.secrets.get(credential)) ?? undefined;
  }

  private async inventory(): Promise<InventoryServer[]> {
    const supervisor = this.daemon.supervisor;
    const servers: InventoryServer[] = [];
    for (const status of supervisor.list()) {
      const config = supervisor.config(status.id);
      if (!config) continue;
      let tools: InventoryServer['tools'] = null;
      if (status.state === 'ready') tools = await supervisor.tools(status.id).catch(() => null);
      servers.push({ ...describeServer(config), tools, policyStatus: this.policyStatus(config), sandbox: sandboxState(config) });
    }
    return servers;
  }

  private policyStatus(server: ServerConfig): string {
    const admission = this.policy.admit(server);
    return admission.ok ? 'allowed' : `refused by ${admission.source} rule "${admission.rule}": ${admission.reason}`;
  }

  private pruneAudit(): void {
    try {
      const engine = this.policy.service.engine();
      const days = engine.setting('audit.retentionDays')?.value as number | undefined;
      const result = this.audit.retention.prune({ maxAgeMs: (days ?? DEFAULT_RETENTION_DAYS) * DAY_MS, maxBytes: DEFAULT_AUDIT_MAX_BYTES });
      if (result.deleted > 0) this.logger.info('audit retention pruned old records', { ...result });
    } catch (error) {
      this.logger.error('audit retention failed', { error: (error as Error).message });
    }
  }
}

function describeServer(config: ServerConfig): Omit<InventoryServer, 'tools' | 'policyStatus'> {
  const base = {
    id: config.id,
    transport: config.transport,
    enabled: config.enabled,
    ...(config.registryName ? { registryName: config.registryName } : {}),
    ...(config.package ? { package: config.package } : {}),
  };
  if (config.transport === 'stdio') return { ...base, command: config.command, args: config.args };
  return { ...base, url: config.url };
}

/**
 * The daemon inside the Electron main process (main/app/start-daemon.ts loads this at run time):
 * the same Switchboard as `switchboard serve`, on the default data folder.
 */
export async function startDesktopDaemon(options: { mode: 'desktop'; loginItem: LoginItemControl }) {
  const switchboard = await Switchboard.start({ dataDir: resolveDataDir(undefined), mode: options.mode, loginItem: options.loginItem });
  return {
    dispatcher: switchboard.dispatcher,
    events: { subscribe: (listener: Parameters<EventHub['subscribe']>[0]) => switchboard.events.subscribe(listener) },
    stop: () => switchboard.stop(),
  };
}
