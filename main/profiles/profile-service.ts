// The effective profiles: those policy ships (managed file, then the org document, which may only
// narrow a managed profile of the same name), the user's from config.json (narrowing a shipped one
// of the same name, or standing alone), and `default` (every configured server, every tool
// visible, no cap: the surface of before profiles) when nobody defines it. A profile resolves to
// the configured servers it names that policy admits; the others are reported with why, and the
// profile works with the rest.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Config, ServerConfig } from '../../shared/config.ts';
import { DEFAULT_PROFILE, ProfileSchema, type Profile } from '../../shared/profiles.ts';
import type { ServerMatcher } from '../../shared/policy.ts';
import type { PolicyInputs } from '../policy/engine.ts';
import type { PinStore } from '../policy/pin-store.ts';
import { identifyServer, type ServerIdentity } from '../policy/server-identity.ts';
import { compileServerMatcher, describeServerMatcher } from '../policy/server-rules.ts';
import { narrowProfile } from './profile-merge.ts';
import { buildToolSurface, type LayeredProfile, type ToolSurface, type UpstreamTool } from './tool-surface.ts';

export type ProfileSource = 'default' | 'config' | 'managed' | 'org';

export interface EffectiveProfile {
  readonly name: string;
  readonly profile: LayeredProfile;
  /** Where the profile is defined: the built-in default, config.json, or the policy that ships it. */
  readonly source: ProfileSource;
  /** The weaker sources that narrow a shipped profile. */
  readonly narrowedBy: readonly ('org' | 'user')[];
  /** Parts of a narrowing that would widen the shipped profile, left out, with why. */
  readonly ignored: readonly string[];
}

export interface MissingServer {
  /** The server id, or a description of the matcher that matched nothing. */
  readonly server: string;
  readonly reason: string;
}

export interface ResolvedServers {
  /** Configured, enabled and admitted servers of the profile, in config order. */
  readonly servers: readonly string[];
  readonly missing: readonly MissingServer[];
}

/** Where a server's tools came from for a preview or a save-time check. */
export type ToolsSource = 'live' | 'pins' | 'none';

export interface ProfileSurface extends ResolvedServers {
  readonly surface: ToolSurface;
  readonly toolsFrom: Readonly<Record<string, ToolsSource>>;
}

export interface ProfileServiceDeps {
  readonly config: () => Config;
  /** The profiles the policy in force ships, per source. */
  readonly shipped: () => { readonly managed?: readonly Profile[]; readonly org?: readonly Profile[] };
  readonly admit: (server: ServerConfig) => { ok: true } | { ok: false; reason: string };
  /** A running server's tools as its clients see them (through the policy chain); undefined when it is not running. */
  readonly liveTools?: (serverId: string) => Promise<readonly { name: string; inputSchema?: unknown }[] | undefined>;
  /** The tools last seen of a server (the pin store), for a server that is not running. */
  readonly pinnedTools?: (serverId: string) => Tool[];
}

/** The profiles the policy in force ships: the managed file's and the org document's `profiles`. */
export function shippedProfiles(inputs: PolicyInputs): { managed?: readonly Profile[]; org?: readonly Profile[] } {
  return {
    ...(inputs.managed.state === 'active' && inputs.managed.policy.profiles ? { managed: inputs.managed.policy.profiles } : {}),
    ...(inputs.org?.state === 'active' && inputs.org.policy.profiles ? { org: inputs.org.policy.profiles } : {}),
  };
}

/**
 * A server's tools as last seen and pinned (tool-pins.json), for a server that is not running,
 * without those `hidden` says policy keeps out of tools/list.
 */
export function pinnedTools(pins: Pick<PinStore, 'pinned'>, serverId: string, hidden: (tool: Tool) => boolean = () => false): Tool[] {
  return pins.pinned(serverId).map((pin) => ({ inputSchema: { type: 'object' }, ...pin.definition } as Tool)).filter((tool) => !hidden(tool));
}

export class ProfileNotFoundError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`no profile "${name}"; profiles: ${known.join(', ')}`);
    this.name = 'ProfileNotFoundError';
  }
}

/** The built-in default: every configured server, every tool visible, no cap. */
export const BUILTIN_DEFAULT_PROFILE: Profile = ProfileSchema.parse({ name: DEFAULT_PROFILE, description: 'Every configured server, every tool visible', servers: [{ server: '*' }] });

export class ProfileService {
  private readonly deps: ProfileServiceDeps;

  constructor(deps: ProfileServiceDeps) {
    this.deps = deps;
  }

  /** Every effective profile, by name. A read: nothing is cached, so config and policy changes count at once. */
  list(configProfiles: readonly Profile[] = this.deps.config().profiles): EffectiveProfile[] {
    const shipped = this.deps.shipped();
    const byName = new Map<string, EffectiveProfile>();
    for (const profile of shipped.managed ?? []) byName.set(profile.name, { name: profile.name, profile, source: 'managed', narrowedBy: [], ignored: [] });
    for (const profile of shipped.org ?? []) byName.set(profile.name, this.narrowed(byName.get(profile.name), profile, 'org', 'org'));
    for (const profile of configProfiles) byName.set(profile.name, this.narrowed(byName.get(profile.name), profile, 'user', 'config'));
    if (!byName.has(DEFAULT_PROFILE)) byName.set(DEFAULT_PROFILE, { name: DEFAULT_PROFILE, profile: BUILTIN_DEFAULT_PROFILE, source: 'default', narrowedBy: [], ignored: [] });
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): EffectiveProfile {
    const all = this.list();
    const found = all.find((p) => p.name === name);
    if (!found) throw new ProfileNotFoundError(name, all.map((p) => p.name));
    return found;
  }

  /** The profile as it would be with `candidate` saved in config.json (replacing the entry of its name). */
  withCandidate(candidate: Profile): EffectiveProfile {
    const others = this.deps.config().profiles.filter((p) => p.name !== candidate.name);
    return this.list([...others, candidate]).find((p) => p.name === candidate.name)!;
  }

  /** Whether policy ships a profile of this name (a config entry of that name only narrows it). */
  shippedSource(name: string): 'managed' | 'org' | undefined {
    const shipped = this.deps.shipped();
    if (shipped.managed?.some((p) => p.name === name)) return 'managed';
    if (shipped.org?.some((p) => p.name === name)) return 'org';
    return undefined;
  }

  /** The profile's servers: configured, enabled and admitted; the rest named with why. */
  resolve(effective: EffectiveProfile): ResolvedServers {
    const config = this.deps.config();
    const profile = effective.profile;
    const lists = [{ source: effective.source, entries: profile.servers }, ...(profile.layers ?? []).map((l) => ({ source: l.source, entries: l.servers }))]
      .filter((l): l is { source: ProfileSource | 'user'; entries: Profile['servers'] } => l.entries !== undefined);
    const [base, ...narrowings] = lists.map((list) => list.entries.map((entry) => entryMatcher(entry)));
    const named = (entries: readonly EntryMatcher[], server: ServerConfig, identity: ServerIdentity) => entries.some((e) => e.matches(server, identity));
    const missing: MissingServer[] = [];
    const inProfile: ServerConfig[] = [];
    for (const server of config.servers) {
      const identity = identifyServer(server);
      const inBase = named(base!, server, identity);
      if (inBase && narrowings.every((entries) => named(entries, server, identity))) inProfile.push(server);
      else if (!inBase && narrowings.some((entries) => entries.some((e) => e.byId === server.id))) {
        missing.push({ server: server.id, reason: `not in the profile "${effective.name}" that ${effective.source} policy ships; a narrowing cannot add servers` });
      }
    }
    for (const list of lists) {
      for (const entry of list.entries) {
        const matcher = entryMatcher(entry);
        if (!config.servers.some((s) => matcher.matches(s, identifyServer(s)))) {
          missing.push({ server: matcher.label, reason: typeof entry === 'string' ? `no server "${entry}" is configured` : 'no configured server matches it' });
        }
      }
    }
    const servers: string[] = [];
    for (const server of inProfile) {
      if (!server.enabled) {
        missing.push({ server: server.id, reason: 'it is disabled in the configuration' });
        continue;
      }
      const admission = this.deps.admit(server);
      if (!admission.ok) missing.push({ server: server.id, reason: admission.reason });
      else servers.push(server.id);
    }
    return { servers, missing: dedupe(missing) };
  }

  /**
   * The profile's tool surface over its servers' tools: live from a running server (as its clients
   * see them, through the policy chain), else the tools last seen (the pin store). Throws
   * ProfileNameCollisionError when two tools would get the same name.
   */
  async surface(effective: EffectiveProfile, options: { usage?: ReadonlyMap<string, number> } = {}): Promise<ProfileSurface> {
    const resolved = this.resolve(effective);
    const tools: UpstreamTool[] = [];
    const toolsFrom: Record<string, ToolsSource> = {};
    for (const serverId of resolved.servers) {
      const live = await this.deps.liveTools?.(serverId).catch(() => undefined);
      const list = (live as readonly Tool[] | undefined) ?? this.deps.pinnedTools?.(serverId) ?? [];
      toolsFrom[serverId] = live ? 'live' : list.length > 0 ? 'pins' : 'none';
      for (const tool of list) tools.push({ serverId, tool });
    }
    return { ...resolved, toolsFrom, surface: buildToolSurface(effective.profile, tools, options) };
  }

  /** Token names and linked client files bound to the profile. */
  usedBy(name: string): { tokens: string[]; clients: Array<{ client: string; file: string }> } {
    const config = this.deps.config();
    return {
      tokens: config.tokens.filter((t) => t.profile === name).map((t) => t.name),
      clients: config.links.filter((l) => l.profile === name).map((l) => ({ client: l.client, file: l.file })),
    };
  }

  private narrowed(shipped: EffectiveProfile | undefined, profile: Profile, layer: 'org' | 'user', standalone: ProfileSource): EffectiveProfile {
    if (!shipped) return { name: profile.name, profile, source: standalone, narrowedBy: [], ignored: [] };
    const { profile: merged, ignored } = narrowProfile(shipped.profile, profile, layer);
    return { name: shipped.name, profile: merged, source: shipped.source, narrowedBy: [...shipped.narrowedBy, layer], ignored: [...shipped.ignored, ...ignored] };
  }
}

interface EntryMatcher {
  readonly label: string;
  /** The server id, for an entry that is one. */
  readonly byId?: string;
  matches(server: ServerConfig, identity: ServerIdentity): boolean;
}

function entryMatcher(entry: string | ServerMatcher): EntryMatcher {
  if (typeof entry === 'string') return { label: entry, byId: entry, matches: (server) => server.id === entry };
  const compiled = compileServerMatcher(entry);
  // Membership trusts what policy's allowlists trust: the package the command runs, a confirmed registry name.
  return { label: entry.id ?? describeServerMatcher(entry), matches: (_server, identity) => compiled.matches(identity, 'confirmed') };
}

function dedupe(missing: MissingServer[]): MissingServer[] {
  const seen = new Set<string>();
  return missing.filter((m) => {
    const key = `${m.server}\u0000${m.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
