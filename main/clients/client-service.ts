// The clients capability as one object for the CLI and the API: detect, import, link, unlink,
// status, choosing the client's own config file when none is named.
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { ClientFileStatus, ClientSummary } from '../../shared/clients.ts';
import type { ServerConfig } from '../../shared/config.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { ClientAdapter, ClientEnvironment } from './adapter.ts';
import { CLIENT_ADAPTERS, adapterFor } from './adapters/index.ts';
import { ClientImporter, type ImportReport } from './client-importer.ts';
import { ClientLinker, type LinkReport, type UnlinkReport } from './client-linker.ts';
import type { ConfigAccess } from './config-access.ts';
import { readJsoncDocument, valueAt } from './jsonc-document.ts';
import type { LinkEndpoint } from './link-endpoint.ts';
import { ClientTokenIssuer } from './token-issuer.ts';
import { isObject } from './adapters/mcp-servers-format.ts';

export interface ClientServiceDeps {
  config: ConfigAccess;
  secrets: SecretStore;
  endpoint: LinkEndpoint;
  env: ClientEnvironment;
  /** Where `${VAR}` references in Claude Code entries are looked up on import (default: process.env). */
  environment?: NodeJS.ProcessEnv;
  adapters?: readonly ClientAdapter[];
  /** Policy admission of a configured server; a refused server is not linked (the reason names the rule). */
  admit?: (server: ServerConfig) => { ok: true } | { ok: false; reason: string };
  /** The servers a profile serves, or why it cannot be linked (`link --profile`). */
  profileServers?: (profile: string) => readonly string[] | string;
  now?: () => Date;
}

export class ClientService {
  private readonly deps: ClientServiceDeps;
  private readonly importer: ClientImporter;
  private readonly linker: ClientLinker;
  private readonly adapters: readonly ClientAdapter[];

  constructor(deps: ClientServiceDeps) {
    this.deps = deps;
    this.adapters = deps.adapters ?? CLIENT_ADAPTERS;
    this.importer = new ClientImporter({ config: deps.config, secrets: deps.secrets, endpoint: deps.endpoint, ...(deps.environment ? { environment: deps.environment } : {}) });
    this.linker = new ClientLinker({
      config: deps.config, importer: this.importer, endpoint: deps.endpoint,
      tokens: new ClientTokenIssuer(deps.config, deps.now), ...(deps.now ? { now: deps.now } : {}),
      ...(deps.profileServers ? { profileServers: deps.profileServers } : {}),
      scopeOf: (adapter, file) => (adapter.configFiles(deps.env).some((c) => c.scope === 'user' && path.resolve(c.path) === path.resolve(file)) ? 'user' : 'project'),
      refuse: async (serverId) => {
        const server = (await deps.config.read()).servers.find((s) => s.id === serverId);
        const admission = server && deps.admit ? deps.admit(server) : { ok: true as const };
        return admission.ok ? undefined : admission.reason;
      },
    });
  }

  async list(): Promise<ClientSummary[]> {
    const links = (await this.deps.config.read()).links;
    const summaries: ClientSummary[] = [];
    for (const adapter of this.adapters) {
      const candidates = adapter.configFiles(this.deps.env);
      // Linked files outside the usual places (linked with --config) are listed too.
      for (const link of links) {
        if (link.client === adapter.id && !candidates.some((c) => path.resolve(c.path) === link.file)) candidates.push({ path: link.file, scope: 'project' });
      }
      const files: ClientFileStatus[] = [];
      for (const candidate of candidates) files.push(await this.fileStatus(adapter, candidate.path, candidate.scope));
      const installed = (await Promise.all(adapter.installMarkers(this.deps.env).map(exists))).some(Boolean) || files.some((f) => f.exists);
      summaries.push({ id: adapter.id, name: adapter.displayName, installed, linkMode: adapter.linkMode, files });
    }
    return summaries;
  }

  async import(clientId: string, file?: string): Promise<ImportReport> {
    const adapter = adapterFor(clientId);
    return this.importer.importFile(adapter, file ?? await this.defaultFile(adapter));
  }

  async link(clientId: string, file?: string, options: { profile?: string } = {}): Promise<LinkReport> {
    const adapter = adapterFor(clientId);
    return this.linker.link(adapter, file ?? await this.defaultFile(adapter), options);
  }

  async unlink(clientId: string, file?: string): Promise<UnlinkReport> {
    const adapter = adapterFor(clientId);
    if (file) return this.linker.unlink(adapter, file);
    const links = (await this.linker.links()).filter((l) => l.client === adapter.id);
    if (links.length === 0) throw new Error(`${adapter.displayName} has no linked config file`);
    if (links.length > 1) throw new Error(`${adapter.displayName} has ${links.length} linked files; name one with --config: ${links.map((l) => l.file).join(', ')}`);
    return this.linker.unlink(adapter, links[0]!.file);
  }

  async status(clientId: string, file?: string) {
    const adapter = adapterFor(clientId);
    return this.linker.status(adapter, file ?? await this.defaultFile(adapter));
  }

  private async fileStatus(adapter: ClientAdapter, file: string, scope: 'user' | 'project'): Promise<ClientFileStatus> {
    const absolute = path.resolve(file);
    if (!await exists(absolute)) return { path: absolute, scope, exists: false, servers: [], status: 'unlinked' };
    try {
      const doc = await readJsoncDocument(absolute);
      const servers = adapter.serverMaps(doc.data).flatMap((p) => {
        const map = valueAt(doc.data, p);
        return isObject(map) ? Object.keys(map) : [];
      });
      const { status } = await this.linker.status(adapter, absolute);
      return { path: absolute, scope, exists: true, servers, status };
    } catch (error) {
      return { path: absolute, scope, exists: true, servers: [], status: 'unlinked', error: (error as Error).message };
    }
  }

  private defaultFile(adapter: ClientAdapter): Promise<string> {
    return defaultClientFile(adapter, this.deps.env);
  }
}

/** The client's own config file: the first of its usual files that exists (user files first). */
export async function defaultClientFile(adapter: ClientAdapter, env: ClientEnvironment): Promise<string> {
  for (const candidate of adapter.configFiles(env)) if (await exists(candidate.path)) return candidate.path;
  throw new Error(`no ${adapter.displayName} config file found (looked at ${adapter.configFiles(env).map((c) => c.path).join(', ')}); name one with --config`);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}
