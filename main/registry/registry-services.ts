// The registry side of the product, built from a few injected functions: the reader (clients of
// each configured registry, with the offline cache), the catalog, the installer and the status of
// installed servers. The composition root builds one and hands its parts to the API and to
// lifecycle enforcement.
import type { ServerConfig } from '../../shared/config.ts';
import type { Logger } from '../base/logger.ts';
import type { Admission } from '../policy/engine.ts';
import type { EffectiveRegistrySource } from '../policy/registry-only.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { findCommand } from '../servers/command-resolution.ts';
import { RegistryCatalog } from './catalog.ts';
import { RegistryInstaller } from './installer.ts';
import { RegistryCache } from './registry-cache.ts';
import { RegistryReader } from './registry-reader.ts';
import { RegistryStatusService } from './registry-status.ts';

export interface RegistryServicesDeps {
  readonly dataDir: string;
  readonly sources: () => readonly EffectiveRegistrySource[];
  readonly admit: (server: ServerConfig) => Admission;
  readonly servers: () => readonly ServerConfig[];
  readonly updateServers: (change: (servers: ServerConfig[]) => void) => Promise<unknown>;
  readonly secrets: Pick<SecretStore, 'set'>;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  /** Between status refreshes (default 1 h). */
  readonly statusIntervalMs?: number;
  /** The clock answers are dated by (tests). */
  readonly now?: () => Date;
}

export class RegistryServices {
  readonly reader: RegistryReader;
  readonly catalog: RegistryCatalog;
  readonly installer: RegistryInstaller;
  /** The RegistryStatusSource lifecycle enforcement consumes. */
  readonly status: RegistryStatusService;

  constructor(deps: RegistryServicesDeps) {
    this.reader = new RegistryReader({ cache: new RegistryCache(deps.dataDir), ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}) });
    this.catalog = new RegistryCatalog({ reader: this.reader, sources: deps.sources, admit: deps.admit, servers: deps.servers });
    this.installer = new RegistryInstaller({
      catalog: this.catalog,
      reader: this.reader,
      secrets: deps.secrets,
      servers: deps.servers,
      updateConfig: async (change) => {
        await deps.updateServers(change);
      },
      admit: deps.admit,
      commandFound: (command) => findCommand(command, { platform: process.platform, env: process.env }) !== undefined,
    });
    this.status = new RegistryStatusService({ reader: this.reader, servers: deps.servers, logger: deps.logger, ...(deps.statusIntervalMs ? { intervalMs: deps.statusIntervalMs } : {}) });
  }
}
