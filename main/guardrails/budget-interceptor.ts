// Budgets: a result-size cap per tool or client, and a daily token budget per client. Tokens are
// estimated as UTF-8 bytes / 4 (rounded up), the usual rule of thumb for English text and JSON;
// they are an estimate, not a tokenizer's count. Every call's estimate (arguments in, result out)
// goes on the call for the audit. The daily count is kept per client label and UTC day in memory
// and seeded from the audit store when the daemon starts (`usedToday`).
import type { PolicyEngine } from '../policy/engine.ts';
import type { CallContext, Interceptor, Next, RelayResponse } from '../relay/interceptor.ts';
import { currentRequest, guardrailRefusal, noteGuardrail, toolName, withNote } from './call-facts.ts';
import { GuardrailsPolicy, type Compiled } from './guardrails-policy.ts';
import type { DailyBudgetRule, ResultBudgetRule } from '../../shared/content-guardrails-policy.ts';

export const BYTES_PER_TOKEN = 4;
export const estimateTokens = (bytes: number): number => Math.ceil(bytes / BYTES_PER_TOKEN);

export interface BudgetEvent {
  readonly client: string;
  readonly rule: string;
  readonly level: 'warning' | 'exhausted';
  readonly used: number;
  readonly limit: number;
}

export interface BudgetInterceptorDeps {
  readonly engine: () => PolicyEngine;
  /** Tokens the client already used today (from the audit store), asked once per client and day. */
  readonly usedToday?: (client: string, dayStartMs: number) => number;
  readonly onBudget?: (event: BudgetEvent) => void;
  readonly now?: () => number;
}

interface TextItem {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export class BudgetInterceptor implements Interceptor {
  readonly name = 'budget';
  readonly methods: ReadonlySet<string> = new Set(['tools/call']);
  private readonly deps: BudgetInterceptorDeps;
  private readonly usage = new Map<string, { day: number; tokens: number }>();

  constructor(deps: BudgetInterceptorDeps) {
    this.deps = deps;
  }

  /** Tokens used today by a client (for status and tests). */
  used(client: string): number {
    return this.counter(client).tokens;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const request = currentRequest(ctx);
    if (request.method !== 'tools/call') return next(request);
    const policy = GuardrailsPolicy.of(this.deps.engine());
    const client = ctx.session.clientLabel;
    const daily = policy.daily.length === 0 ? undefined : policy.forCall('daily', '', '', client, dailyFor);
    const counter = this.counter(client);
    if (daily && daily.rule.rule.action === 'deny' && counter.tokens >= daily.rule.rule.tokens) {
      noteGuardrail(ctx, daily.rule.label, [], 'budget-exhausted');
      return guardrailRefusal(ctx, daily.rule.label, `client "${client}" used its daily budget of ${daily.rule.rule.tokens} estimated tokens (bytes/4); it resets at 00:00 UTC`);
    }
    const tokensIn = estimateTokens(ctx.bytesIn ?? 0);
    ctx.estTokensIn = tokensIn;

    let response = await next(request);
    const cap = policy.results.length === 0 ? undefined : policy.forCall('cap', ctx.session.serverId, toolName(request), client, capFor);
    let bytesOut = resultTextBytes(response);
    if (cap && bytesOut > cap.bytes) {
      noteGuardrail(ctx, cap.rule.label, [], cap.rule.rule.action === 'deny' ? 'result-over-budget' : 'result-truncated');
      if (cap.rule.rule.action === 'deny') {
        response = guardrailRefusal(ctx, cap.rule.label, `the result has ${bytesOut} bytes (~${estimateTokens(bytesOut)} tokens), over the cap of ${cap.bytes} bytes (~${estimateTokens(cap.bytes)} tokens); ask for less: narrow the query, request a page or a range, or a summary`);
      } else {
        const original = bytesOut;
        response = truncate(response, cap.bytes);
        bytesOut = resultTextBytes(response);
        response = withNote(response, `[MCP Switchboard truncated this result from ${original} bytes (~${estimateTokens(original)} tokens) to ${bytesOut} bytes (~${estimateTokens(bytesOut)} tokens) under ${cap.rule.label}. To get the rest, ask for less at a time: narrow the query, request a page, an offset or a range, or a summary.]`);
      }
      bytesOut = resultTextBytes(response);
    }
    const tokensOut = estimateTokens(bytesOut);
    ctx.estTokensOut = tokensOut;

    const before = counter.tokens;
    counter.tokens += tokensIn + tokensOut;
    if (daily) {
      const limit = daily.rule.rule.tokens;
      const warnAt = limit * 0.8;
      if (before < warnAt && counter.tokens >= warnAt && counter.tokens < limit) {
        noteGuardrail(ctx, daily.rule.label, [], 'budget-80');
        this.deps.onBudget?.({ client, rule: daily.rule.label, level: 'warning', used: counter.tokens, limit });
      }
      if (before < limit && counter.tokens >= limit) {
        noteGuardrail(ctx, daily.rule.label, [], 'budget-exhausted');
        this.deps.onBudget?.({ client, rule: daily.rule.label, level: 'exhausted', used: counter.tokens, limit });
      }
    }
    return response;
  }

  private counter(client: string): { day: number; tokens: number } {
    const now = this.deps.now?.() ?? Date.now();
    const day = Math.floor(now / 86_400_000);
    let counter = this.usage.get(client);
    if (!counter || counter.day !== day) {
      counter = { day, tokens: this.deps.usedToday?.(client, day * 86_400_000) ?? 0 };
      this.usage.set(client, counter);
    }
    return counter;
  }
}

const dailyFor = (policy: GuardrailsPolicy, _target: string, client: string) => strictestDaily(policy.daily.filter((r) => r.client(client)));
const capFor = (policy: GuardrailsPolicy, target: string, client: string) => strictestCap(policy.results.filter((r) => r.tool(target) && r.client(client)));

/** The smallest daily budget of the matching rules (deny wins over warn at the same size). */
function strictestDaily(rules: readonly Compiled<DailyBudgetRule>[]): { rule: Compiled<DailyBudgetRule> } | undefined {
  let best: Compiled<DailyBudgetRule> | undefined;
  for (const r of rules) {
    if (!best || r.rule.tokens < best.rule.tokens || (r.rule.tokens === best.rule.tokens && r.rule.action === 'deny')) best = r;
  }
  return best ? { rule: best } : undefined;
}

/** The smallest cap in bytes of the matching rules (tokens × 4); deny wins over truncate at the same size. */
function strictestCap(rules: readonly Compiled<ResultBudgetRule>[]): { rule: Compiled<ResultBudgetRule>; bytes: number } | undefined {
  let best: { rule: Compiled<ResultBudgetRule>; bytes: number } | undefined;
  for (const r of rules) {
    const bytes = Math.min(r.rule.maxBytes ?? Infinity, (r.rule.maxTokens ?? Infinity) * BYTES_PER_TOKEN);
    if (!best || bytes < best.bytes || (bytes === best.bytes && r.rule.action === 'deny')) best = { rule: r, bytes };
  }
  return best;
}

/** The result's size as the model reads it: UTF-8 bytes of its text items and resource texts, plus structuredContent as JSON. */
export function resultTextBytes(response: RelayResponse): number {
  if (!('result' in response)) return Buffer.byteLength(JSON.stringify(response.error));
  const result = response.result as { content?: unknown; structuredContent?: unknown };
  let bytes = 0;
  if (Array.isArray(result.content)) {
    for (const item of result.content as TextItem[]) {
      if (typeof item?.text === 'string') bytes += Buffer.byteLength(item.text);
      const resource = item?.resource as { text?: unknown } | undefined;
      if (typeof resource?.text === 'string') bytes += Buffer.byteLength(resource.text);
    }
  }
  if (result.structuredContent !== undefined) bytes += Buffer.byteLength(JSON.stringify(result.structuredContent));
  return bytes;
}

/** Cuts text items (in order) so the text fits `maxBytes`; structuredContent, which cannot be cut meaningfully, is dropped when it does not fit. */
function truncate(response: RelayResponse, maxBytes: number): RelayResponse {
  if (!('result' in response)) return response;
  const result = response.result as { content?: unknown; structuredContent?: unknown };
  let left = maxBytes;
  const content = Array.isArray(result.content) ? (result.content as TextItem[]).map((item) => {
    if (typeof item?.text !== 'string') return item;
    const size = Buffer.byteLength(item.text);
    if (size <= left) {
      left -= size;
      return item;
    }
    const cut = cutUtf8(item.text, left);
    left = 0;
    return { ...item, text: cut };
  }) : result.content;
  const { structuredContent, ...rest } = result;
  const keepStructured = structuredContent !== undefined && Buffer.byteLength(JSON.stringify(structuredContent)) <= left;
  return { ...response, result: { ...rest, content, ...(keepStructured ? { structuredContent } : {}) } as typeof response.result };
}

/** The longest prefix of `text` whose UTF-8 encoding fits `maxBytes`, never splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const buf = Buffer.from(text);
  let end = Math.min(maxBytes, buf.length);
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}
