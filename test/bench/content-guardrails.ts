// Content guardrails' own cost (issue 20, Speed), for `npm run bench`:
//  - the daemon CPU the four guardrail links (budget, injection, DLP, validation) add to one
//    tools/call of a 256-byte echo (process CPU time, user + system), with every detector on in both directions (chain with the
//    rules minus the same chain with no guardrail rules, same process, upstream answering at once);
//  - one 1 MB text result scanned by every DLP and injection detector.
//   node test/bench/content-guardrails.ts    (or through test/bench/run.ts --only guardrails)
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { PolicyDocumentSchema } from '../../shared/policy.ts';
import { ApprovalBroker } from '../../main/approvals/broker.ts';
import { BudgetInterceptor } from '../../main/guardrails/budget-interceptor.ts';
import { walkContent, redactSpans } from '../../main/guardrails/content-walk.ts';
import { invisibleCharacters, instructionOverride, hiddenInstructions } from '../../main/guardrails/detectors/injection.ts';
import { dlpDetectorSet } from '../../main/guardrails/dlp-detectors.ts';
import { DlpInterceptor } from '../../main/guardrails/dlp-interceptor.ts';
import { InjectionApprovals } from '../../main/guardrails/injection-approvals.ts';
import { InjectionInterceptor } from '../../main/guardrails/injection-interceptor.ts';
import { ValidationInterceptor } from '../../main/guardrails/validation-interceptor.ts';
import { PolicyEngine } from '../../main/policy/engine.ts';
import type { CallContext, Interceptor, Next, RelayResponse, SessionInfo } from '../../main/relay/interceptor.ts';
import { DLP_DETECTORS } from '../../shared/content-guardrails-policy.ts';

interface Row { name: string; value: number; unit: string; goal?: string }

const ALL_ON = {
  version: 1,
  dlp: { rules: [{ id: 'all-detectors', detectors: ['all'], direction: 'both', action: 'redact' }] },
  injection: { rules: [{ id: 'all-injection', detectors: ['all'], scan: 'both', action: 'strip' }] },
  budgets: { results: [{ id: 'cap', maxBytes: 1024 * 1024, action: 'truncate' }], daily: [{ id: 'day', tokens: 1e12 }] },
  validation: { rules: [{ id: 'enforce', mode: 'enforce' }] },
};

function engineWith(doc: object): PolicyEngine {
  return new PolicyEngine({ managed: { state: 'active', path: '/bench/managed.json', policy: PolicyDocumentSchema.parse(doc) } });
}

function chain(engine: PolicyEngine, broker: ApprovalBroker): Interceptor[] {
  return [
    new BudgetInterceptor({ engine: () => engine }),
    new InjectionInterceptor({ engine: () => engine, broker, approvals: new InjectionApprovals() }),
    new DlpInterceptor({ engine: () => engine, broker }),
    new ValidationInterceptor({ engine: () => engine }),
  ];
}

/** Runs a request through the links as the relay does (CallContext.forwarded set before each). */
function run(links: Interceptor[], ctx: CallContext, upstream: Next): Promise<RelayResponse> {
  const dispatch = (index: number, current: JSONRPCRequest): Promise<RelayResponse> => {
    const link = links[index];
    if (!link) return upstream(current);
    ctx.forwarded = current;
    return link.handle(ctx, (next) => dispatch(index + 1, next));
  };
  return dispatch(0, ctx.request);
}

// Text shaped like a real result: words, numbers, punctuation, a path and a URL now and then.
function prose(bytes: number): string {
  const words = ['the', 'server', 'returned', 'record', '42', 'status:', 'ok,', 'path', '/var/log/app.log', 'at', '2026-12-06T03:00:00Z', 'https://example.com/docs', 'value=17', 'user', 'count', '(3)', 'items;', 'next', 'page'];
  let out = '';
  let i = 0;
  while (out.length < bytes) out += words[(i++ * 7) % words.length] + (i % 13 === 0 ? '\n' : ' ');
  return out.slice(0, bytes);
}

async function perCallMicros(links: Interceptor[], session: SessionInfo, request: JSONRPCRequest, upstream: Next, iterations: number): Promise<number> {
  const signal = new AbortController().signal;
  const one = () => run(links, { session, request, signal, startedAt: 0, bytesIn: 300 }, upstream);
  for (let i = 0; i < 5_000; i++) await one();
  const start = cpuMicros();
  for (let i = 0; i < iterations; i++) await one();
  return (cpuMicros() - start) / iterations;
}

export async function runContentGuardrailsBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const broker = new ApprovalBroker({ timeoutMs: () => 60_000 });
  const session: SessionInfo = { sessionId: 'bench', serverId: 'echo', transport: 'socket', clientLabel: 'bench' };
  const text = prose(256);
  const echoTool = { name: 'echo', description: 'Returns its text argument', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } };
  const request: JSONRPCRequest = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text } } };
  const upstream: Next = async (r) => (r.method === 'tools/list'
    ? { jsonrpc: '2.0', id: r.id, result: { tools: [echoTool] } }
    : { jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text }] } });
  const iterations = 30_000;

  const measure = async (doc: object) => {
    const links = chain(engineWith(doc), broker);
    const list: JSONRPCRequest = { jsonrpc: '2.0', id: 0, method: 'tools/list', params: {} };
    await run(links, { session, request: list, signal: new AbortController().signal, startedAt: 0 }, upstream);
    return perCallMicros(links, session, request, upstream, iterations);
  };
  // Alternate to share any drift of the machine between both; the least of the rounds is the
  // figure (CPU cost: other processes on a shared machine only ever add to it).
  const off: number[] = [];
  const on: number[] = [];
  for (let round = 0; round < 5; round++) {
    off.push(await measure({ version: 1 }));
    on.push(await measure(ALL_ON));
  }
  const least = (xs: number[]) => Math.min(...xs);
  rows.push({ name: 'guardrail links, no rules (256-byte echo)', value: round(least(off)), unit: 'µs/call' });
  rows.push({ name: 'guardrail links, every detector both ways', value: round(least(on)), unit: 'µs/call' });
  rows.push({ name: 'added daemon CPU per call, all guardrails on', value: round(least(on) - least(off)), unit: 'µs', goal: '≤ 15 µs' });

  const big = prose(1024 * 1024);
  const result = { content: [{ type: 'text', text: big }] };
  const dlp = dlpDetectorSet(new Set(DLP_DETECTORS));
  const injection = [invisibleCharacters, instructionOverride, hiddenInstructions];
  const scan = () => {
    walkContent(result, { ...dlp, replace: redactSpans });
    walkContent(result, { detectors: injection });
  };
  for (let i = 0; i < 3; i++) scan();
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    // Wall time of the scan itself (the goal is a latency); process CPU would also count the GC helper threads.
    const start = process.hrtime.bigint();
    scan();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  rows.push({ name: '1 MB text result scanned (every DLP + injection detector)', value: round(least(times)), unit: 'ms', goal: '< 5 ms' });
  broker.dispose();
  return rows;
}

/** This process's CPU time (user + system), not wall time: on a shared machine other processes' load stretches wall time, not the CPU a call costs. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.main) {
  for (const row of await runContentGuardrailsBench()) console.log(`${row.name.padEnd(60)} ${String(row.value).padStart(8)} ${row.unit}${row.goal ? `   goal ${row.goal}` : ''}`);
}
