// The effective policy compiled from its three sources. Strictest wins: a deny anywhere wins,
// ask beats allow, allowlists intersect, and a lower source can only add restrictions. Every
// decision names the rule and the source that made it.
import type { CaptureMode } from '../../shared/audit.ts';
import type { ServerConfig } from '../../shared/config.ts';
import {
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  type EffectivePolicy, type EffectiveSetting, type LockableSetting, type PolicyAction, type PolicyDocument,
  type PolicySource, type RememberChoice, type SourceStatus, type UserPolicy,
} from '../../shared/policy.ts';
import type { SandboxSupport } from '../../shared/sandbox.ts';
import type { Decision } from '../relay/interceptor.ts';
import { sandboxSupport } from '../sandbox/availability.ts';
import { admitRegistryOnly, compileRegistries, type CompiledRegistries } from './registry-only.ts';
import { admitSandbox, compileSandboxRequirement, type CompiledSandboxRequirement } from './sandbox-rules.ts';
import type { ServerWithOrigin } from './registry-origin.ts';
import { identifyServer, type ServerIdentity } from './server-identity.ts';
import { compileServerMatcher, keysOnIdOnly, type CompiledServerMatcher } from './server-rules.ts';
import { compileToolRule, effectiveAnnotations, toolRuleKeysOnIdOnly, type CompiledToolRule, type TargetKind, type ToolAnnotations } from './tool-rules.ts';

export type ManagedState =
  | { readonly state: 'absent'; readonly path: string }
  | { readonly state: 'active'; readonly path: string; readonly policy: PolicyDocument }
  | { readonly state: 'error'; readonly path: string; readonly message: string };

/** The org source as org sync reports it; undefined when the managed policy names no org URL. */
export type { OrgState } from '../orgsync/org-state.ts';
import type { OrgState } from '../orgsync/org-state.ts';

export interface PolicyInputs {
  readonly managed: ManagedState;
  readonly org?: OrgState;
  readonly user?: UserPolicy;
}

export type Admission = { ok: true } | { ok: false; reason: string; rule: string; source: PolicySource | 'default' };

export interface EvaluationTarget {
  readonly kind?: TargetKind;
  readonly serverId: string;
  /**
   * The configured server, for rules with a `server` matcher. Without it such a deny or ask rule
   * holds and such an allow rule does not (the strict side).
   */
  readonly server?: ServerConfig;
  /** Tool or prompt name, or resource URI. */
  readonly name: string;
  readonly annotations?: ToolAnnotations;
  /** Absent when deciding visibility in tools/list: rules with argument conditions then never hide. */
  readonly arguments?: unknown;
}

export interface PolicyDecision extends Decision {
  readonly source: PolicySource | 'default';
  /** "managed: deny github/delete_*" — what the UI, audit and the client's error show. */
  readonly label: string;
}

const RANK: Record<PolicyAction, number> = { allow: 0, ask: 1, deny: 2 };
const ALL_REMEMBER: readonly RememberChoice[] = ['once', 'session', 'always'];
const MEMO_LIMIT = 10_000;

/** Sections `effective()` already shows as rules, settings or sandbox requirements. */
const SHOWN_ELSEWHERE: ReadonlySet<string> = new Set(['$schema', 'serial', 'org', 'locks', 'servers', 'tools', 'approvals', 'pinning', 'audit', 'gateway', 'updates', 'startAtLogin', 'sandbox']);

/** How many entries a section holds: its list's length, or the sum of the lists it has (rules, objectives…). */
function entryCount(value: unknown): number | null {
  if (Array.isArray(value)) return value.length;
  if (typeof value !== 'object' || value === null) return null;
  const lists = Object.values(value).filter(Array.isArray);
  return lists.length === 0 ? null : lists.reduce((sum, list) => sum + list.length, 0);
}

interface SourceDoc {
  readonly source: PolicySource;
  readonly doc: Omit<PolicyDocument, 'version'>;
}

export class PolicyEngine {
  readonly inputs: PolicyInputs;
  /** When set, every server is refused and every call denied (fail closed), for this reason. */
  readonly failClosed: { reason: string; source: PolicySource } | null;
  private readonly docs: SourceDoc[];
  private readonly locks: Map<LockableSetting, PolicySource>;
  private readonly toolRules: CompiledToolRule[];
  private readonly serverDeny: Array<{ source: PolicySource; rule: CompiledServerMatcher }>;
  private readonly serverAllow: Array<{ source: PolicySource; rules: CompiledServerMatcher[] }>;
  private readonly memo = new Map<string, CompiledToolRule[]>();
  /** Server configs are replaced, not mutated, when the config changes. */
  private readonly identities = new WeakMap<ServerConfig, ServerIdentity>();
  private readonly settings: Record<string, EffectiveSetting>;
  private readonly sandboxRequirements: CompiledSandboxRequirement[];
  private readonly sandboxSupport: () => SandboxSupport;
  /** `registries` of every source: the catalog's registries, and `only`. */
  readonly registries: CompiledRegistries;

  constructor(inputs: PolicyInputs, options: { sandboxSupport?: () => SandboxSupport } = {}) {
    this.inputs = inputs;
    this.sandboxSupport = options.sandboxSupport ?? sandboxSupport;
    this.failClosed = failClosedReason(inputs);
    const docs: SourceDoc[] = [];
    if (inputs.managed.state === 'active') docs.push({ source: 'managed', doc: inputs.managed.policy });
    if (inputs.org?.state === 'active') docs.push({ source: 'org', doc: { ...inputs.org.policy, org: undefined } });
    this.locks = new Map();
    for (const { source, doc } of docs) for (const lock of doc.locks ?? []) if (!this.locks.has(lock)) this.locks.set(lock, source);
    if (inputs.user) docs.push({ source: 'user', doc: inputs.user });
    this.docs = docs;

    const userAllowed = (setting: LockableSetting, source: PolicySource) => source !== 'user' || !this.locks.has(setting);
    this.toolRules = docs.filter((d) => userAllowed('tools', d.source))
      .flatMap(({ source, doc }) => (doc.tools ?? []).map((rule) => compileToolRule(rule, source)));
    const serverDocs = docs.filter((d) => userAllowed('servers', d.source));
    this.serverDeny = serverDocs.flatMap(({ source, doc }) => (doc.servers?.deny ?? []).map((m) => ({ source, rule: compileServerMatcher(m) })));
    this.serverAllow = serverDocs.filter((d) => d.doc.servers?.allow !== undefined)
      .map(({ source, doc }) => ({ source, rules: doc.servers!.allow!.map(compileServerMatcher) }));
    this.settings = this.resolveSettings();
    this.registries = compileRegistries(docs);
    this.sandboxRequirements = docs.flatMap(({ source, doc }) => (doc.sandbox?.require ?? []).map((req) => compileSandboxRequirement(req, source)));
  }

  admitServer(server: ServerConfig): Admission {
    if (this.failClosed) return { ok: false, reason: this.failClosed.reason, rule: 'fail-closed', source: this.failClosed.source };
    const identity = this.identify(server);
    for (const { source, rule } of this.serverDeny) {
      if (rule.matches(identity, 'any')) {
        return { ok: false, rule: rule.name, source, reason: `server "${server.id}" is refused by ${source} policy: deny ${rule.name}` };
      }
    }
    for (const { source, rules } of this.serverAllow) {
      if (!rules.some((rule) => rule.matches(identity, 'confirmed'))) {
        return { ok: false, rule: 'servers.allow', source, reason: `server "${server.id}" is not on the ${source} allowlist (servers.allow)` };
      }
    }
    const registryOnly = admitRegistryOnly(server, identity, this.registries);
    if (registryOnly) return registryOnly;
    return admitSandbox(server, identity, this.sandboxRequirements, this.sandboxSupport);
  }

  evaluate(target: EvaluationTarget): PolicyDecision {
    if (this.failClosed) return decision('deny', 'fail-closed', this.failClosed.source, this.failClosed.reason);
    const kind = target.kind ?? 'tool';
    const forListing = !('arguments' in target);
    const annotations = effectiveAnnotations(target.annotations);
    let best: CompiledToolRule | undefined;
    let decidedSource: PolicySource | undefined;
    const identity = target.server ? this.identify(target.server) : undefined;
    for (const rule of this.candidates(kind, target.serverId, `${target.serverId}/${target.name}`)) {
      if (rule.source === decidedSource) continue; // first match per source
      if (!rule.matchesServer(identity)) continue;
      if (forListing && rule.conditional) {
        // Arguments unknown: a conditional non-deny rule may apply, so the tool stays visible.
        if (rule.action !== 'deny' && rule.matchesAnnotations(annotations)) {
          decidedSource = rule.source;
          if (!best) best = rule;
        }
        continue;
      }
      if (!rule.matchesDetails(annotations, target.arguments)) continue;
      decidedSource = rule.source;
      if (!best || RANK[rule.action] > RANK[best.action]) best = rule;
    }
    if (!best) return decision('allow', 'no rule matched', 'default');
    return decision(best.action, best.name, best.source);
  }

  approvalTimeoutMs(): number {
    return (this.settings['approvals.timeoutSeconds']!.value as number) * 1000;
  }

  rememberChoices(): RememberChoice[] {
    return this.settings['approvals.remember']!.value as RememberChoice[];
  }

  pinningOnChange(): PolicyAction {
    return this.settings['pinning.onChange']!.value as PolicyAction;
  }

  /** How much of a call's arguments the audit keeps. */
  auditArguments(): CaptureMode {
    const value = this.settings['audit.arguments']?.value;
    return value === 'none' || value === 'full' || value === 'redacted' ? value : 'redacted';
  }

  /** Extra redaction patterns (regular expressions) for recorded arguments. */
  auditRedactPatterns(): readonly string[] {
    const value = this.settings['audit.redactPatterns']?.value;
    return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  }

  /** Days audit records are kept; undefined when no source sets it. */
  auditRetentionDays(): number | undefined {
    const value = this.settings['audit.retentionDays']?.value;
    return typeof value === 'number' ? value : undefined;
  }

  /** Most audit records kept (the oldest go first); undefined when no source sets it. */
  auditMaxRows(): number | undefined {
    const value = this.settings['audit.maxRows']?.value;
    return typeof value === 'number' ? value : undefined;
  }

  /** The gateway a policy names (it wins over the one in settings); undefined when none does. */
  gateway(): { url: string; credential?: string } | undefined {
    const value = this.settings['gateway']?.value as { url?: unknown; credential?: unknown } | undefined;
    if (typeof value?.url !== 'string' || value.url === '') return undefined;
    return { url: value.url, ...(typeof value.credential === 'string' ? { credential: value.credential } : {}) };
  }

  /** A setting with its source and lock, for display (`policy show`, the Policy page). */
  setting(name: LockableSetting): EffectiveSetting | undefined {
    return this.settings[name];
  }

  isLocked(setting: LockableSetting): boolean {
    return this.locks.has(setting);
  }

  effective(): EffectivePolicy {
    return {
      sources: this.sourceStatuses(),
      failClosed: this.failClosed?.reason ?? null,
      servers: [
        ...this.serverAllow.flatMap(({ source, rules }) => rules.map((r) => ({ source, list: 'allow' as const, name: r.name, matcher: r.matcher, ...idOnlyWarning(source, keysOnIdOnly(r.matcher)) }))),
        ...this.serverDeny.map(({ source, rule }) => ({ source, list: 'deny' as const, name: rule.name, matcher: rule.matcher, ...idOnlyWarning(source, keysOnIdOnly(rule.matcher)) })),
      ],
      tools: this.toolRules.map((r) => ({ source: r.source, name: r.name, rule: r.rule, ...idOnlyWarning(r.source, toolRuleKeysOnIdOnly(r.rule)) })),
      settings: this.settings,
      locks: [...this.locks].map(([setting, source]) => ({ setting, source })),
      sandbox: this.sandboxRequirements.map((r) => ({ source: r.source, name: r.name, requirement: r.requirement })),
      sections: this.docs.flatMap(({ source, doc }) => Object.entries(doc)
        .filter(([section, value]) => value !== undefined && !SHOWN_ELSEWHERE.has(section))
        .map(([section, value]) => ({ source, section, entries: entryCount(value), value }))),
    };
  }

  private identify(server: ServerWithOrigin): ServerIdentity {
    let identity = this.identities.get(server);
    if (!identity) {
      identity = identifyServer(server);
      this.identities.set(server, identity);
    }
    return identity;
  }

  private candidates(kind: TargetKind, serverId: string, target: string): CompiledToolRule[] {
    const key = `${kind}\u0000${target}`;
    let list = this.memo.get(key);
    if (!list) {
      list = this.toolRules.filter((r) => r.rule.kind === kind && (r.literalServer === undefined || r.literalServer === serverId) && r.matchesTarget(target));
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(key, list);
    }
    return list;
  }

  private sourceStatuses(): SourceStatus[] {
    const { managed, org, user } = this.inputs;
    const statuses: SourceStatus[] = [];
    statuses.push(managed.state === 'active'
      ? { source: 'managed', state: 'active', location: managed.path }
      : managed.state === 'absent'
        ? { source: 'managed', state: 'absent', location: managed.path, message: 'no managed policy file' }
        : { source: 'managed', state: 'error', location: managed.path, message: managed.message });
    if (org?.state === 'active') {
      statuses.push({ source: 'org', state: org.lastError ? 'stale' : 'active', location: org.url, fetchedAt: org.fetchedAt, ...(org.policy.serial !== undefined ? { serial: org.policy.serial } : {}), ...(org.lastError ? { message: `using the last good policy: ${org.lastError}` } : {}) });
    } else if (org) {
      statuses.push({ source: 'org', state: 'error', location: org.url, message: org.message });
    }
    statuses.push({ source: 'user', state: user ? 'active' : 'absent', location: 'settings.userPolicy' });
    return statuses;
  }

  private resolveSettings(): Record<string, EffectiveSetting> {
    const settings: Record<string, EffectiveSetting> = {};
    const values = (read: (doc: SourceDoc['doc']) => unknown, setting: LockableSetting) =>
      this.docs.filter((d) => d.source !== 'user' || !this.locks.has(setting))
        .map((d) => ({ source: d.source, value: read(d.doc) }))
        .filter((v) => v.value !== undefined);
    const precedence = (setting: LockableSetting, read: (doc: SourceDoc['doc']) => unknown, fallback: unknown) => {
      const first = values(read, setting)[0];
      settings[setting] = { value: first ? first.value : fallback, source: first ? first.source : 'default', locked: this.locks.has(setting) };
    };
    precedence('approvals.timeoutSeconds', (d) => d.approvals?.timeoutSeconds, DEFAULT_APPROVAL_TIMEOUT_SECONDS);
    precedence('audit.arguments', (d) => d.audit?.arguments, 'redacted');
    precedence('audit.retentionDays', (d) => d.audit?.retentionDays, undefined);
    precedence('audit.maxRows', (d) => d.audit?.maxRows, undefined);
    precedence('gateway', (d) => d.gateway, undefined);
    precedence('updates', (d) => d.updates, undefined);
    precedence('startAtLogin', (d) => d.startAtLogin, undefined);

    const remember = values((d) => d.approvals?.remember, 'approvals.remember');
    settings['approvals.remember'] = {
      value: ALL_REMEMBER.filter((choice) => remember.every((v) => (v.value as RememberChoice[]).includes(choice))),
      source: remember[0]?.source ?? 'default',
      locked: this.locks.has('approvals.remember'),
    };
    const onChange = values((d) => d.pinning?.onChange, 'pinning.onChange');
    const strictest = onChange.reduce<{ value: PolicyAction; source: PolicySource } | undefined>(
      (acc, v) => (!acc || RANK[v.value as PolicyAction] > RANK[acc.value] ? { value: v.value as PolicyAction, source: v.source } : acc), undefined);
    settings['pinning.onChange'] = { value: strictest?.value ?? 'ask', source: strictest?.source ?? 'default', locked: this.locks.has('pinning.onChange') };
    const redact = values((d) => d.audit?.redactPatterns, 'audit.redactPatterns');
    settings['audit.redactPatterns'] = {
      value: [...new Set(redact.flatMap((v) => v.value as string[]))],
      source: redact[0]?.source ?? 'default',
      locked: this.locks.has('audit.redactPatterns'),
    };
    for (const name of ['servers', 'tools'] as const) {
      settings[name] = { value: undefined, source: this.locks.get(name) ?? 'default', locked: this.locks.has(name) };
    }
    return settings;
  }
}

function decision(action: PolicyAction, rule: string, source: PolicySource | 'default', reason?: string): PolicyDecision {
  return { action, rule, source, label: `${source}: ${rule}`, ...(reason ? { reason } : {}) };
}

/** Only sources a user cannot edit: the user's own rules name the user's own ids. */
function idOnlyWarning(source: PolicySource, idOnly: boolean): { warning?: string } {
  if (!idOnly || source === 'user') return {};
  return { warning: 'keys on server ids only: a server added under another id escapes it; match by package, command, url or registry name with "server"' };
}

function failClosedReason(inputs: PolicyInputs): { reason: string; source: PolicySource } | null {
  if (inputs.managed.state === 'error') {
    return { source: 'managed', reason: `managed policy file ${inputs.managed.path} cannot be used (${inputs.managed.message}); every server is refused until an administrator fixes or removes it` };
  }
  if (inputs.org?.state === 'unavailable' && inputs.org.required) {
    return { source: 'org', reason: `org policy from ${inputs.org.url} is not available (${inputs.org.message}) and the managed policy requires it; every server is refused until it is fetched` };
  }
  return null;
}
