// The guardrail links on their own, with a real policy engine and an upstream that answers at
// once: the daily budget's 80% warning and 100% refusal, fail-closed on a walk past its bounds
// (10,000 levels of nesting) and fail-open when the rule says so, and validation's answer when
// the tool list cannot be had.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { PolicyDocumentSchema } from '../../../shared/policy.ts';
import { ApprovalBroker } from '../../../main/approvals/broker.ts';
import { BudgetInterceptor, type BudgetEvent } from '../../../main/guardrails/budget-interceptor.ts';
import { DlpInterceptor } from '../../../main/guardrails/dlp-interceptor.ts';
import { ValidationInterceptor } from '../../../main/guardrails/validation-interceptor.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import type { CallContext, Interceptor, Next, RelayResponse, SessionInfo } from '../../../main/relay/interceptor.ts';

const session: SessionInfo = { sessionId: 's1', serverId: 'srv', transport: 'http', clientLabel: 'cursor' };
const engineWith = (doc: object) => new PolicyEngine({ managed: { state: 'active', path: '/m.json', policy: PolicyDocumentSchema.parse({ version: 1, ...doc }) } });
const call = (args: unknown, id = 1): JSONRPCRequest => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: args } });
const ctxFor = (request: JSONRPCRequest, bytesIn = 400): CallContext => ({ session, request, signal: new AbortController().signal, startedAt: 0, bytesIn });
const text = (r: RelayResponse) => ('result' in r ? ((r.result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text).join('\n') : r.error.message);

async function run(link: Interceptor, ctx: CallContext, upstream: Next): Promise<RelayResponse> {
  ctx.forwarded = ctx.request;
  return link.handle(ctx, upstream);
}

describe('daily token budget', () => {
  it('warns once at 80% (event and audit flag) and refuses at 100%, naming the rule', async () => {
    const events: BudgetEvent[] = [];
    const budget = new BudgetInterceptor({ engine: () => engineWith({ budgets: { daily: [{ id: 'cursor-day', client: 'cursor', tokens: 1000 }] } }), onBudget: (e) => events.push(e), now: () => Date.UTC(2026, 11, 6, 12) });
    // 400 bytes in + 1200 bytes out = 100 + 300 = 400 estimated tokens per call.
    const upstream: Next = async (r) => ({ jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text: 'x'.repeat(1200) }] } });
    const first = ctxFor(call({}));
    await run(budget, first, upstream);
    expect(first).toMatchObject({ estTokensIn: 100, estTokensOut: 300 });
    const second = ctxFor(call({}, 2));
    await run(budget, second, upstream);
    expect(second.guardrails?.flags).toEqual(['budget-80']);
    expect(events).toMatchObject([{ level: 'warning', client: 'cursor', rule: 'managed: cursor-day', used: 800, limit: 1000 }]);
    const third = ctxFor(call({}, 3));
    await run(budget, third, upstream);
    expect(third.guardrails?.flags).toContain('budget-exhausted');
    const refused = ctxFor(call({}, 4));
    const answer = await run(budget, refused, upstream);
    expect(text(answer)).toContain('managed: cursor-day');
    expect(text(answer)).toContain('resets at 00:00 UTC');
    expect(refused.decision).toMatchObject({ action: 'deny', source: 'guardrails' });
  });
});

describe('DLP past its bounds', () => {
  let deep: unknown = 'AKIAQ7WXRZ2MV5TNB3KD';
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const upstream: Next = async (r) => ({ jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text: 'ok' }] } });

  it('fails closed by default: 10,000 levels of nesting are refused, naming the rule', async () => {
    const broker = new ApprovalBroker({ timeoutMs: () => 1000 });
    const dlp = new DlpInterceptor({ engine: () => engineWith({ dlp: { rules: [{ id: 'no-secrets', detectors: ['secrets'], action: 'block' }] } }), broker });
    let reached = false;
    const ctx = ctxFor(call(deep));
    const answer = await run(dlp, ctx, async (r) => { reached = true; return upstream(r); });
    expect(reached).toBe(false);
    expect(text(answer)).toContain('managed: no-secrets');
    expect(text(answer)).toContain('nesting deeper than the scan bound');
    expect(ctx.guardrails?.flags).toContain('dlp-incomplete-depth');
  });

  it('with failClosed false the call goes on, flagged', async () => {
    const broker = new ApprovalBroker({ timeoutMs: () => 1000 });
    const dlp = new DlpInterceptor({ engine: () => engineWith({ dlp: { rules: [{ id: 'log-secrets', detectors: ['secrets'], action: 'log', failClosed: false }] } }), broker });
    const ctx = ctxFor(call(deep));
    expect(text(await run(dlp, ctx, upstream))).toBe('ok');
    expect(ctx.guardrails?.flags).toContain('dlp-incomplete-depth');
  });
});

describe('validation without a tool list', () => {
  it('enforce refuses (fail closed) when the session\'s tools cannot be listed; warn lets the call through', async () => {
    const failingList: Next = async (r) => (r.method === 'tools/list'
      ? { jsonrpc: '2.0', id: r.id, error: { code: -32603, message: 'listing broke' } }
      : { jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text: 'ran' }] } });
    const enforce = new ValidationInterceptor({ engine: () => engineWith({ validation: { rules: [{ id: 'strict', mode: 'enforce' }] } }) });
    const refused = await run(enforce, ctxFor(call({ x: 1 })), failingList);
    expect(text(refused)).toContain('cannot be checked');
    expect(text(refused)).toContain('managed: strict');
    const warn = new ValidationInterceptor({ engine: () => engineWith({ validation: { rules: [{ id: 'soft', mode: 'warn' }] } }) });
    const ctx = ctxFor(call({ x: 1 }));
    expect(text(await run(warn, ctx, failingList))).toBe('ran');
    expect(ctx.guardrails?.flags).toContain('arguments-unchecked');
  });
});
