// The catalog: the configured registries read together (search, one entry, its versions), each
// entry marked with what policy would say about the server it installs, and which configured
// servers came from it. Reads only; installing is installer.ts.
import type { CatalogEntry, NeededInputInfo, RegistrySourceState } from '../../shared/api/registry.ts';
import type { ServerConfig } from '../../shared/config.ts';
import { normalizeRegistryUrl } from '../../shared/registry-policy.ts';
import { OFFICIAL_META_KEY, type ServerResponse } from '../../shared/registry.ts';
import type { Admission } from '../policy/engine.ts';
import type { EffectiveRegistrySource } from '../policy/registry-only.ts';
import { defaultServerId, neededInputs, planInstall } from './install-plan.ts';
import { RegistryError, type SkippedEntry } from './registry-client.ts';
import type { RegistryReader } from './registry-reader.ts';

export interface CatalogDeps {
  readonly reader: RegistryReader;
  /** The registries policy and settings configure (engine().registries.sources). */
  readonly sources: () => readonly EffectiveRegistrySource[];
  /** The supervisor's admission hook: what policy says about a configuration. */
  readonly admit: (server: ServerConfig) => Admission;
  readonly servers: () => readonly ServerConfig[];
}

export interface SearchResult {
  entries: CatalogEntry[];
  sources: RegistrySourceState[];
  skipped: Array<SkippedEntry & { registry: string }>;
}

export class RegistryCatalog {
  private readonly deps: CatalogDeps;

  constructor(deps: CatalogDeps) {
    this.deps = deps;
  }

  sources(): readonly EffectiveRegistrySource[] {
    return this.deps.sources();
  }

  /** The configured registry with this URL (or the first one); an unknown URL is an error. */
  source(url?: string): EffectiveRegistrySource {
    const sources = this.deps.sources();
    if (url === undefined) return sources[0]!;
    const found = sources.find((s) => s.url === normalizeRegistryUrl(url));
    if (!found) throw new RegistryError(`${url} is not a configured registry (configured: ${sources.map((s) => s.url).join(', ')}); add it to registries.sources in policy`);
    return found;
  }

  async search(query: string | undefined, registry?: string): Promise<SearchResult> {
    const chosen = registry === undefined ? this.deps.sources() : [this.source(registry)];
    const result: SearchResult = { entries: [], sources: [], skipped: [] };
    await Promise.all(chosen.map(async (source) => {
      const state: RegistrySourceState = { url: source.url, ...(source.name ? { name: source.name } : {}), source: source.source };
      try {
        const read = await this.deps.reader.read(source.url, `search ${query ?? ''}`, (client) => client.all({ ...(query ? { search: query } : {}), version: 'latest' }));
        Object.assign(state, { fetchedAt: read.fetchedAt, ageSeconds: this.deps.reader.ageSeconds(read.fetchedAt), pages: read.value.pages, ...(read.offline ? { offline: read.offline } : {}) });
        for (const entry of read.value.entries) result.entries.push(this.describe(source, entry));
        for (const skipped of read.value.skipped) result.skipped.push({ ...skipped, registry: source.url });
      } catch (error) {
        state.error = (error as Error).message;
      }
      result.sources.push(state);
    }));
    const order = chosen.map((s) => s.url);
    result.sources.sort((a, b) => order.indexOf(a.url) - order.indexOf(b.url));
    result.entries.sort((a, b) => a.server.name.localeCompare(b.server.name) || order.indexOf(a.registry) - order.indexOf(b.registry));
    return result;
  }

  /** One version (default latest) of an entry, with its versions and inputs. */
  async show(name: string, version = 'latest', registry?: string) {
    const source = this.source(registry);
    const read = await this.deps.reader.read(source.url, `version ${name} ${version}`, (client) => client.version(name, version));
    const versions = await this.deps.reader.read(source.url, `versions ${name}`, (client) => client.versions(name)).catch(() => undefined);
    const entry = this.describe(source, read.value, versions?.value.entries);
    return {
      entry,
      versions: (versions?.value.entries ?? [read.value]).map((v) => ({ version: v.server.version, status: statusOf(v), ...optionalMeta(v) })),
      inputs: neededInputs(read.value.server) as NeededInputInfo[],
      source: { url: source.url, ...(source.name ? { name: source.name } : {}), source: source.source, fetchedAt: read.fetchedAt, ageSeconds: this.deps.reader.ageSeconds(read.fetchedAt), ...(read.offline ? { offline: read.offline } : {}) },
      response: read.value,
    };
  }

  /** An entry as the catalog shows it: status, policy, installed servers. */
  describe(source: EffectiveRegistrySource, response: ServerResponse, versions?: readonly ServerResponse[]): CatalogEntry {
    const meta = response._meta?.[OFFICIAL_META_KEY];
    const latest = versions?.find((v) => v._meta?.[OFFICIAL_META_KEY]?.isLatest)?.server.version ?? (meta?.isLatest ? response.server.version : undefined);
    const installed = this.deps.servers()
      .filter((s) => s.installedFrom && s.installedFrom.name === response.server.name && normalizeRegistryUrl(s.installedFrom.registry) === source.url)
      .map((s) => ({ id: s.id, version: s.installedFrom!.version, updateAvailable: latest !== undefined && latest !== s.installedFrom!.version }));
    return {
      registry: source.url,
      registryLabel: source.name ?? source.url,
      server: response.server,
      status: statusOf(response),
      ...(meta?.statusMessage ? { statusMessage: meta.statusMessage } : {}),
      ...optionalMeta(response),
      policy: this.policyFor(source.url, response),
      installed,
    };
  }

  /** What policy would say about the server installing this entry makes (placeholder input values: they never reach the keychain). */
  private policyFor(registry: string, response: ServerResponse): CatalogEntry['policy'] {
    try {
      const values = Object.fromEntries(neededInputs(response.server).map((input) => [input.name, input.default ?? input.choices?.[0] ?? 'value']));
      const plan = planInstall({ registry, entry: response.server, id: defaultServerId(response.server.name), values });
      const admission = this.deps.admit(plan.server);
      return admission.ok ? { allowed: true } : { allowed: false, rule: admission.rule, source: admission.source, reason: admission.reason };
    } catch (error) {
      return { allowed: false, rule: 'not installable', reason: (error as Error).message };
    }
  }
}

function statusOf(response: ServerResponse): CatalogEntry['status'] {
  return response._meta?.[OFFICIAL_META_KEY]?.status ?? 'active';
}

function optionalMeta(response: ServerResponse): { isLatest?: boolean; publishedAt?: string } {
  const meta = response._meta?.[OFFICIAL_META_KEY];
  return { ...(meta?.isLatest !== undefined ? { isLatest: meta.isLatest } : {}), ...(meta?.publishedAt ? { publishedAt: meta.publishedAt } : {}) };
}
