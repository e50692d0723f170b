// `registries` in policy: the registries the catalog reads and, with `only: true`, the admission
// rule that a server must have been installed from one of them. "Installed from" means a confirmed
// origin (registry-origin.ts: the install record names the registry and the launch command or URL
// is still the one the entry produced), so a hand-added server, or one whose config claims an
// origin it does not run, is refused.
import { normalizeRegistryUrl, type RegistrySource } from '../../shared/registry-policy.ts';
import { OFFICIAL_REGISTRY_URL } from '../../shared/registry.ts';
import type { PolicyDocument, PolicySource } from '../../shared/policy.ts';
import type { ServerConfig } from '../../shared/config.ts';
import type { Admission } from './engine.ts';
import type { ServerIdentity } from './server-identity.ts';

export interface EffectiveRegistrySource extends RegistrySource {
  /** Who named it: a policy source, or 'default' for the official registry. */
  readonly source: PolicySource | 'default';
}

export interface CompiledRegistries {
  /** The registries the catalog reads and, with `only`, the ones an origin must name. */
  readonly sources: readonly EffectiveRegistrySource[];
  /** The source that set `only: true`, when one did. */
  readonly onlyFrom?: PolicySource;
}

/**
 * Managed and org sources that name registries decide alone which count; otherwise the official
 * registry and the user's own (settings.userPolicy.registries.sources). A registry the user added
 * is read by the catalog but never satisfies a managed or org `only`.
 */
export function compileRegistries(docs: ReadonlyArray<{ source: PolicySource; doc: Pick<PolicyDocument, 'registries'> }>): CompiledRegistries {
  const onlyFrom = docs.find((d) => d.doc.registries?.only === true)?.source;
  const named = (filter: (source: PolicySource) => boolean): EffectiveRegistrySource[] => docs.filter((d) => filter(d.source))
    .flatMap(({ source, doc }) => (doc.registries?.sources ?? []).map((entry) => ({ ...entry, url: normalizeRegistryUrl(entry.url), source })));
  const imposed = named((source) => source !== 'user');
  const sources = imposed.length > 0 ? imposed : [{ url: OFFICIAL_REGISTRY_URL, name: 'MCP Registry', source: 'default' as const }, ...named((source) => source === 'user')];
  const unique = sources.filter((entry, index) => sources.findIndex((other) => other.url === entry.url) === index);
  return { sources: unique, ...(onlyFrom ? { onlyFrom } : {}) };
}

/** The registries an origin must name under `only`: a registry the user added counts only when the user set `only` themselves. */
function admittedSources(registries: CompiledRegistries): readonly EffectiveRegistrySource[] {
  return registries.onlyFrom === 'user' ? registries.sources : registries.sources.filter((entry) => entry.source !== 'user');
}

/** undefined: this rule does not refuse the server. */
export function admitRegistryOnly(server: ServerConfig, identity: ServerIdentity, registries: CompiledRegistries): Admission | undefined {
  const source = registries.onlyFrom;
  if (!source) return undefined;
  const rule = 'registries.only';
  const origin = server.installedFrom;
  if (!origin) {
    return { ok: false, rule, source, reason: `server "${server.id}" was added by hand, and ${source} policy lets only servers installed from a configured registry run (registries.only); install it from the catalog: \`switchboard registry search <name>\`, then \`switchboard server install <name>\`` };
  }
  if (identity.registryName === undefined) {
    return { ok: false, rule, source, reason: `server "${server.id}" no longer runs what registry entry "${origin.name}" installed (its command, package or URL was changed, or its registryName does not match), and ${source} policy lets only servers installed from a configured registry run (registries.only); install it again with \`switchboard server install ${origin.name}\`` };
  }
  const from = normalizeRegistryUrl(origin.registry);
  const admitted = admittedSources(registries);
  if (!admitted.some((entry) => entry.url === from)) {
    return { ok: false, rule, source, reason: `server "${server.id}" was installed from ${from}, which is not a registry ${source} policy accepts, and ${source} policy lets only servers from those run (registries.only): ${admitted.map((entry) => entry.url).join(', ')}` };
  }
  return undefined;
}
