// The bridge path with every guardrail on, beside the bridge path without any, in the same run
// (for `npm run bench`, or alone: node test/bench/guardrails.ts [calls] [rounds]). Two daemons
// (`switchboard serve`, the echo server configured as `echo`), one with a managed policy that turns
// on every guardrail section the policy schema has, the other with none; a 256-byte echo over the
// bridge, the two taking turns in rounds; calls/s from the client and the daemon's own CPU per call
// (every thread's time on CPU, /proc/<pid>/task/*/schedstat) over the measured calls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { PolicyDocumentSchema } from '../../shared/policy.ts';
import { FlowGuardrails } from '../../main/guardrails/flow-guardrails.ts';
import { PolicyEngine } from '../../main/policy/engine.ts';
import type { CallContext, Interceptor, RelayResponse, SessionInfo } from '../../main/relay/interceptor.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { BENCH_CLIENT_NAME } from './mcp.ts';
import { echoServer } from './peers.ts';
import { cpuNanos, sleep } from './processes.ts';

interface Row { name: string; value: number | string; unit?: string; goal?: string; met?: string }

/** Policy sections that are not guardrails of the data path (they exist without issue 20). */
const NOT_GUARDRAILS = new Set(['$schema', 'version', 'serial', 'org', 'locks', 'servers', 'tools', 'approvals', 'pinning', 'audit', 'gateway', 'updates', 'startAtLogin', 'sandbox', 'lifecycle', 'registries', 'slo', 'profiles']);

const NEVER = 1_000_000;

/**
 * Each guardrail section at its most expensive that still lets an echo through: limits that never
 * trigger, a breaker and a timeout budget on every server, idempotency keys honoured, a cache rule
 * (echo is not annotated read-only, so it is looked up and passed). A dedup rule is a per-tool opt-in
 * that keeps every answer for its window; its cost is a row of its own (in-process). A section added later gets its entry here; until
 * then the bench tries the generic values below and says which section it could not turn on.
 */
export const ALL_ON: Record<string, unknown> = {
  rateLimits: { rules: (['client', 'server', 'tool', 'client-tool'] as const).map((per) => ({ per, match: '**', perMinute: NEVER, burst: NEVER })) },
  breaker: { servers: '**', failures: 5, timeouts: [{ match: 'echo/*', timeoutMs: 60_000 }] },
  idempotency: { windowSeconds: 600 },
  cache: { rules: [{ match: 'echo/*', ttlSeconds: 60 }] },
  // The content guardrails: every detector on both directions, acting without changing the call.
  dlp: { rules: [{ id: 'bench-dlp', detectors: ['all'], direction: 'both', action: 'log' }] },
  injection: { rules: [{ id: 'bench-descriptions', scan: 'descriptions', action: 'warn' }, { id: 'bench-results', scan: 'results', action: 'warn' }] },
  budgets: { results: [{ id: 'bench-cap', maxTokens: NEVER, action: 'truncate' }], daily: [{ id: 'bench-daily', client: '*', tokens: NEVER * NEVER }] },
  validation: { rules: [{ id: 'bench-validation', match: '*/*', mode: 'enforce' }] },
};
const GENERIC_ON: unknown[] = [{ enabled: true }, { mode: 'enforce' }, { action: 'log' }, {}];

/** The managed policy with every guardrail section the schema knows turned on, and the sections it could not. */
export function allGuardrailsPolicy(): { policy: Record<string, unknown>; enabled: string[]; skipped: string[] } {
  const shape = PolicyDocumentSchema.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
  const policy: Record<string, unknown> = { version: 1 };
  const enabled: string[] = [];
  const skipped: string[] = [];
  for (const [section, schema] of Object.entries(shape)) {
    if (NOT_GUARDRAILS.has(section)) continue;
    const value = [ALL_ON[section], ...GENERIC_ON].find((candidate) => candidate !== undefined && schema.safeParse(candidate).success);
    if (value === undefined) skipped.push(section);
    else {
      policy[section] = value;
      enabled.push(section);
    }
  }
  PolicyDocumentSchema.parse(policy);
  return { policy, enabled, skipped };
}

const TEXT = 'x'.repeat(256);

/**
 * The flow guardrails' own cost per call, in this process (no I/O, no other process on the CPU):
 * the four interceptors on a 256-byte echo call under the all-on policy, less the same chain
 * without them. Steadier on a shared machine than the daemon's CPU figures.
 */
export async function flowInterceptorMicros(policy: Record<string, unknown>, iterations = 100_000): Promise<number> {
  const engine = new PolicyEngine({ managed: { state: 'active', path: '/bench/managed.json', policy: PolicyDocumentSchema.parse(policy) } });
  const flow = new FlowGuardrails({ engine: () => engine });
  const session: SessionInfo = { sessionId: 'bench', serverId: 'echo', transport: 'socket', clientLabel: 'bridge', client: { name: BENCH_CLIENT_NAME, version: '1' } };
  const signal = new AbortController().signal;
  const timed = async (chain: readonly Interceptor[]) => {
    const call = (i: number) => {
      const text = `${i}:${TEXT}`.slice(0, 256);
      const request: JSONRPCRequest = { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { text } } };
      const ctx: CallContext = { session, request, signal, startedAt: 0 };
      const response: RelayResponse = { jsonrpc: '2.0', id: i, result: { content: [{ type: 'text', text }] } };
      const dispatch = (k: number, current: JSONRPCRequest): Promise<RelayResponse> =>
        k === chain.length ? Promise.resolve(response) : chain[k]!.handle(ctx, (next) => dispatch(k + 1, next ?? current));
      return dispatch(0, request);
    };
    for (let i = 0; i < 20_000; i++) await call(i);
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await call(i);
    return Number(process.hrtime.bigint() - started) / 1000 / iterations;
  };
  const chain = [flow.rateLimits, flow.idempotency, flow.cache, flow.breaker];
  const without = await timed([]);
  const withFlow = await timed(chain);
  return withFlow - without;
}

async function drive(client: Client, calls: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < calls) {
      const text = `${next}:${TEXT}`.slice(0, 256);
      const result = await client.callTool({ name: 'echo', arguments: { text } });
      const content = result.content as Array<{ text?: string }> | undefined;
      if (result.isError || content?.[0]?.text !== text) throw new Error(`echo returned ${JSON.stringify(result).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Side {
  daemon: TestDaemon;
  client: Client;
  calls: number;
  seconds: number;
  cpuSeconds: number;
  /** CPU µs per call of each round. */
  perRound: number[];
}

export async function runGuardrailsBench(options: { calls?: number; rounds?: number; warmup?: number; concurrency?: number } = {}): Promise<Row[]> {
  const calls = options.calls ?? 12_000;
  const rounds = options.rounds ?? 12;
  const warmup = options.warmup ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const { policy, enabled, skipped } = allGuardrailsPolicy();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-guardrails-'));
  const managed = join(dir, 'managed-policy.json');
  writeFileSync(managed, JSON.stringify(policy));
  const servers = [{ id: 'echo', transport: 'stdio' as const, command: process.execPath, args: [echoServer] }];
  const sides = new Map<'off' | 'on', Side>();
  try {
    for (const key of ['off', 'on'] as const) {
      const daemon = await startTestDaemon({ servers, startTimeoutMs: 30_000, env: key === 'on' ? { SWITCHBOARD_MANAGED_POLICY: managed } : { SWITCHBOARD_MANAGED_POLICY: join(dir, 'none.json') } });
      sides.set(key, { daemon, client: await daemon.bridgeClient('echo', undefined, BENCH_CLIENT_NAME), calls: 0, seconds: 0, cpuSeconds: 0, perRound: [] });
    }
    for (const side of sides.values()) await drive(side.client, warmup, concurrency);
    const perRound = Math.ceil(calls / rounds);
    for (let round = 0; round < rounds; round++) {
      for (const side of sides.values()) {
        await sleep(200);
        const cpu0 = cpuNanos(side.daemon.pid);
        const started = performance.now();
        await drive(side.client, perRound, concurrency);
        side.seconds += (performance.now() - started) / 1000;
        const used = (cpuNanos(side.daemon.pid) - cpu0) / 1e9;
        side.cpuSeconds += used;
        side.perRound.push((used * 1e6) / perRound);
        side.calls += perRound;
      }
    }
  } finally {
    for (const side of sides.values()) await side.daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const inProcess = await flowInterceptorMicros(policy);
  const dedup = await flowInterceptorMicros({ version: 1, idempotency: { dedup: [{ match: 'echo/*', windowSeconds: 60 }] } }, 50_000);
  const off = sides.get('off')!;
  const on = sides.get('on')!;
  const rate = (s: Side) => s.calls / s.seconds;
  const cpu = (s: Side) => (s.cpuSeconds * 1e6) / s.calls;
  // The median of the rounds' differences: each round's two sides ran back to back, so a slow
  // stretch of the machine moves both; the daemon's own CPU per call drifts by tens of µs between runs.
  const differences = on.perRound.map((value, i) => value - off.perRound[i]!).sort((a, b) => a - b);
  const added = differences[Math.floor(differences.length / 2)]!;
  const share = rate(on) / rate(off);
  return [
    { name: 'bridge, no guardrails: calls/s', value: Math.round(rate(off)) },
    { name: 'bridge, all guardrails on: calls/s', value: Math.round(rate(on)) },
    { name: 'bridge, no guardrails: daemon CPU per call', value: Math.round(cpu(off) * 10) / 10, unit: 'µs' },
    { name: 'bridge, all guardrails on: daemon CPU per call', value: Math.round(cpu(on) * 10) / 10, unit: 'µs' },
    { name: 'guardrails: added daemon CPU per call (256-byte echo; median of the rounds)', value: Math.round(added * 10) / 10, unit: 'µs', goal: '≤ 15 µs', met: added <= 15 ? 'yes' : 'NO' },
    { name: 'guardrails: bridge calls/s, on vs off', value: `${(share * 100).toFixed(1)}%`, goal: '≥ 90%', met: share >= 0.9 ? 'yes' : 'NO' },
    { name: 'flow guardrails alone, in-process, per call', value: Math.round(inProcess * 100) / 100, unit: 'µs', goal: '≤ 15 µs', met: inProcess <= 15 ? 'yes' : 'NO' },
    { name: 'idempotency dedup rule on echo alone, in-process, per call', value: Math.round(dedup * 100) / 100, unit: 'µs' },
    { name: 'guardrail sections on', value: enabled.join(',') || 'none' },
    ...(skipped.length > 0 ? [{ name: 'guardrail sections NOT on (add to ALL_ON in test/bench/guardrails.ts)', value: skipped.join(',') }] : []),
  ];
}

if (import.meta.main) {
  const [calls, rounds] = process.argv.slice(2).map(Number);
  const rows = await runGuardrailsBench({ ...(calls ? { calls } : {}), ...(rounds ? { rounds } : {}) });
  for (const row of rows) console.log(`  ${row.name.padEnd(64)} ${row.value}${row.unit ? ` ${row.unit}` : ''}${row.goal ? `  goal ${row.goal}: ${row.met}` : ''}`);
}
