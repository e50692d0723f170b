// The registry status of each installed server's version (active, deprecated, deleted), with the
// registry's message and the latest version: read on start and periodically, from the cache when
// the registry cannot be reached. Lifecycle enforcement (main/lifecycle/) reads it through
// statusOf(); nothing here refuses anything.
import type { ServerConfig } from '../../shared/config.ts';
import { normalizeRegistryUrl } from '../../shared/registry-policy.ts';
import { OFFICIAL_META_KEY, type RegistryStatus, type ServerResponse } from '../../shared/registry.ts';
import type { Logger } from '../base/logger.ts';
import { RegistryNotFoundError } from './registry-client.ts';
import type { RegistryReader } from './registry-reader.ts';

export interface InstalledServerStatus {
  readonly status: RegistryStatus;
  readonly statusMessage?: string;
  readonly latestVersion?: string;
  /** When the registry's answer this is based on was fetched (an older one when offline). */
  readonly checkedAt: string;
}

/** What lifecycle enforcement consumes. */
export interface RegistryStatusSource {
  statusOf(serverId: string): InstalledServerStatus | undefined;
  /** Called after each refresh that changed a status; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface RegistryStatusDeps {
  readonly reader: RegistryReader;
  readonly servers: () => readonly ServerConfig[];
  readonly logger: Logger;
  /** Between refreshes (default 1 h). */
  readonly intervalMs?: number;
}

export class RegistryStatusService implements RegistryStatusSource {
  private statuses = new Map<string, InstalledServerStatus & { key: string }>();
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private readonly deps: RegistryStatusDeps;

  constructor(deps: RegistryStatusDeps) {
    this.deps = deps;
  }

  statusOf(serverId: string): InstalledServerStatus | undefined {
    const server = this.deps.servers().find((s) => s.id === serverId);
    if (!server?.installedFrom) return undefined;
    const found = this.statuses.get(serverId);
    // A status read for another install (the server was upgraded or reinstalled since) does not count.
    if (found && found.key === keyOf(server)) {
      const { key: _key, ...status } = found;
      return status;
    }
    return this.fromCache(server.installedFrom);
  }

  /** Before the first refresh (or in a process that never refreshes, like a one-off CLI command): the cached answers. */
  private fromCache(origin: NonNullable<ServerConfig['installedFrom']>): InstalledServerStatus | undefined {
    const registry = normalizeRegistryUrl(origin.registry);
    const read = this.deps.reader.cached<ServerResponse>(registry, `status ${origin.name} ${origin.version}`);
    if (!read) return undefined;
    const latest = this.deps.reader.cached<ServerResponse>(registry, `version ${origin.name} latest`);
    return statusOfEntry(read, latest);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.deps.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads every installed server's status now (one refresh at a time). */
  refresh(): Promise<void> {
    this.running ??= this.readAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async readAll(): Promise<void> {
    const next = new Map<string, InstalledServerStatus & { key: string }>();
    for (const server of this.deps.servers()) {
      const origin = server.installedFrom;
      if (!origin) continue;
      try {
        next.set(server.id, { key: keyOf(server), ...await this.read(normalizeRegistryUrl(origin.registry), origin.name, origin.version) });
      } catch (error) {
        const previous = this.statuses.get(server.id);
        if (previous) next.set(server.id, previous);
        this.deps.logger.warn('registry: cannot read the status of an installed server', { server: server.id, error: (error as Error).message });
      }
    }
    const changed = JSON.stringify([...next]) !== JSON.stringify([...this.statuses]);
    this.statuses = next;
    if (changed) for (const listener of this.listeners) listener();
  }

  private async read(registry: string, name: string, version: string): Promise<InstalledServerStatus> {
    const latest = await this.deps.reader.read(registry, `version ${name} latest`, (client) => client.version(name, 'latest')).catch(() => undefined);
    try {
      const read = await this.deps.reader.read(registry, `status ${name} ${version}`, (client) => client.version(name, version, { includeDeleted: true }));
      return statusOfEntry(read, latest);
    } catch (error) {
      // Gone from the registry altogether: as good as deleted.
      if (!(error instanceof RegistryNotFoundError)) throw error;
      return {
        status: 'deleted',
        statusMessage: `version ${version} is no longer listed by ${registry}`,
        ...(latest ? { latestVersion: latest.value.server.version } : {}),
        checkedAt: new Date().toISOString(),
      };
    }
  }
}

function keyOf(server: ServerConfig): string {
  return `${server.installedFrom!.registry} ${server.installedFrom!.name} ${server.installedFrom!.version}`;
}

/** The status the registry's entry of a version gives, with the latest version when known. */
function statusOfEntry(read: { value: ServerResponse; fetchedAt: string }, latest: { value: ServerResponse } | undefined): InstalledServerStatus {
  const meta = read.value._meta?.[OFFICIAL_META_KEY];
  return {
    status: meta?.status ?? 'active',
    ...(meta?.statusMessage ? { statusMessage: meta.statusMessage } : {}),
    ...(latest ? { latestVersion: latest.value.server.version } : {}),
    checkedAt: read.fetchedAt,
  };
}
