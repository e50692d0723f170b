// The content guardrail rules of every policy source, compiled once per policy engine. Rules of
// all sources apply together and the strictest outcome wins (a lower source can only add); the
// user's rules of a section a managed or org policy locks are ignored. Each rule carries its
// label ("managed: block-secrets"), which refusals, notes and the audit name.
import {
  DLP_DETECTORS, INJECTION_DETECTORS, PII_DETECTORS, SECRET_DETECTORS,
  type DailyBudgetRule, type DlpRule, type InjectionRule, type ResultBudgetRule, type ValidationRule,
} from '../../shared/content-guardrails-policy.ts';
import type { PolicyDocument, PolicySource, UserPolicy } from '../../shared/policy.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { compileGlob, type Matcher } from '../policy/glob.ts';

export interface Compiled<T> {
  readonly source: PolicySource;
  /** "managed: <id or default name>" */
  readonly label: string;
  readonly rule: T;
  readonly tool: Matcher;
  readonly client: Matcher;
  readonly failClosed: boolean;
}

export interface CompiledDlp extends Compiled<DlpRule> {
  readonly detectors: ReadonlySet<string>;
}

export interface CompiledInjection extends Compiled<InjectionRule> {
  readonly detectors: ReadonlySet<string>;
}

type Doc = Partial<Pick<PolicyDocument, 'dlp' | 'injection' | 'budgets' | 'validation'>>;

const ANY: Matcher = () => true;
const MEMO_LIMIT = 10_000;
const cache = new WeakMap<PolicyEngine, GuardrailsPolicy>();

export class GuardrailsPolicy {
  readonly dlp: readonly CompiledDlp[];
  readonly injection: readonly CompiledInjection[];
  readonly results: readonly Compiled<ResultBudgetRule>[];
  readonly daily: readonly Compiled<DailyBudgetRule>[];
  readonly validation: readonly Compiled<ValidationRule>[];
  /** Per-target work (which rules match "server/tool" for a client) done once per policy, like the policy engine's candidate memo. */
  private readonly memos = new Map<string, unknown>();
  /** forCall's answers per kind: server → tool → client (nested, so a lookup joins no strings), and the last one asked. */
  private readonly perCall = new Map<string, PerCallMemo>();
  private perCallCount = 0;

  /** The rules of this engine's sources (compiled on first use, then kept with the engine). */
  static of(engine: PolicyEngine): GuardrailsPolicy {
    let policy = cache.get(engine);
    if (!policy) {
      const { managed, org, user } = engine.inputs;
      const docs: Array<{ source: PolicySource; doc: Doc }> = [];
      if (managed.state === 'active') docs.push({ source: 'managed', doc: managed.policy });
      if (org?.state === 'active') docs.push({ source: 'org', doc: org.policy });
      if (user) docs.push({ source: 'user', doc: user as UserPolicy });
      policy = new GuardrailsPolicy(docs, (section) => engine.isLocked(section));
      cache.set(engine, policy);
    }
    return policy;
  }

  constructor(docs: ReadonlyArray<{ source: PolicySource; doc: Doc }>, locked: (section: 'dlp' | 'injection' | 'budgets' | 'validation') => boolean = () => false) {
    const from = <T>(section: 'dlp' | 'injection' | 'budgets' | 'validation', read: (doc: Doc) => readonly T[] | undefined) =>
      docs.filter((d) => d.source !== 'user' || !locked(section)).flatMap(({ source, doc }) => (read(doc) ?? []).map((rule) => ({ source, rule })));
    this.dlp = from('dlp', (d) => d.dlp?.rules).map(({ source, rule }) => ({
      ...base(source, rule, rule.id ?? `dlp ${rule.action} ${rule.detectors.join(',')}`, rule.match, rule.client, rule.failClosed),
      detectors: expandDlp(rule.detectors),
    }));
    this.injection = from('injection', (d) => d.injection?.rules).map(({ source, rule }) => ({
      ...base(source, rule, rule.id ?? `injection ${rule.action} ${rule.detectors.join(',')}`, rule.match, undefined, rule.failClosed),
      detectors: new Set(rule.detectors.includes('all') ? INJECTION_DETECTORS : rule.detectors),
    }));
    this.results = from('budgets', (d) => d.budgets?.results).map(({ source, rule }) =>
      base(source, rule, rule.id ?? `result budget ${rule.maxBytes !== undefined ? `${rule.maxBytes} bytes` : `${rule.maxTokens} tokens`} ${rule.action}`, rule.match, rule.client));
    this.daily = from('budgets', (d) => d.budgets?.daily).map(({ source, rule }) =>
      base(source, rule, rule.id ?? `daily budget ${rule.tokens} tokens`, undefined, rule.client));
    this.validation = from('validation', (d) => d.validation?.rules).map(({ source, rule }) =>
      base(source, rule, rule.id ?? `validation ${rule.mode}${rule.match ? ` ${rule.match}` : ''}`, rule.match, undefined));
  }

  /** `compute()` once per key while this policy is current (a reloaded policy starts empty). */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    if (this.memos.size >= MEMO_LIMIT) this.memos.clear();
    this.memos.set(key, value);
    return value;
  }

  /**
   * `compute(this, "server/tool", client)` once per kind, server, tool and client while this policy
   * is current. `compute` is a function made once (not per call): the lookup itself allocates nothing.
   */
  forCall<T>(kind: string, serverId: string, tool: string, client: string, compute: (policy: GuardrailsPolicy, target: string, client: string) => T): T {
    let memo = this.perCall.get(kind);
    if (!memo) this.perCall.set(kind, (memo = { byServer: new Map(), last: undefined }));
    // A session calls the same tool again and again: the last answer of this kind first.
    const last = memo.last;
    if (last !== undefined && last.tool === tool && last.serverId === serverId && last.client === client) return last.value as T;
    let byTool = memo.byServer.get(serverId);
    if (!byTool) memo.byServer.set(serverId, (byTool = new Map()));
    let byClient = byTool.get(tool);
    if (!byClient) byTool.set(tool, (byClient = new Map()));
    let value: T;
    if (byClient.has(client)) value = byClient.get(client) as T;
    else {
      value = compute(this, `${serverId}/${tool}`, client);
      if (++this.perCallCount > MEMO_LIMIT) {
        this.perCall.clear();
        this.perCallCount = 0;
        return value;
      }
      byClient.set(client, value);
    }
    memo.last = { serverId, tool, client, value };
    return value;
  }
}

interface PerCallMemo {
  readonly byServer: Map<string, Map<string, Map<string, unknown>>>;
  last: { readonly serverId: string; readonly tool: string; readonly client: string; readonly value: unknown } | undefined;
}

function base<T>(source: PolicySource, rule: T, name: string, tool: string | undefined, client: string | undefined, failClosed?: boolean): Compiled<T> {
  return {
    source,
    label: `${source}: ${name}`,
    rule,
    tool: tool ? compileGlob(tool) : ANY,
    client: client ? compileGlob(client) : ANY,
    failClosed: failClosed ?? true,
  };
}

function expandDlp(names: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    if (name === 'all') DLP_DETECTORS.forEach((d) => out.add(d));
    else if (name === 'secrets') SECRET_DETECTORS.forEach((d) => out.add(d));
    else if (name === 'pii') PII_DETECTORS.forEach((d) => out.add(d));
    else out.add(name);
  }
  return out;
}
