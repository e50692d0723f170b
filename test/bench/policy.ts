// Policy evaluation cost per call with 200 rules across the three sources, for `npm run bench`.
//   node test/bench/policy.ts    (or through test/bench/run.ts)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { PolicyDocumentSchema, UserPolicySchema, type ToolRuleInput } from '../../shared/policy.ts';
import type { ServerConfig } from '../../shared/config.ts';
import { ApprovalBroker } from '../../main/approvals/broker.ts';
import { PolicyEngine } from '../../main/policy/engine.ts';
import { PolicyInterceptor } from '../../main/policy/interceptor.ts';
import { PinStore } from '../../main/policy/pin-store.ts';
import type { CallContext, RelayResponse, SessionInfo } from '../../main/relay/interceptor.ts';

interface Row { name: string; value: number; unit: string; goal?: string }

const SERVERS = Array.from({ length: 20 }, (_, i) => `server${i}`);
const TOOLS = Array.from({ length: 50 }, (_, i) => `tool_${i}`);

function rules(count: number, prefix: string): ToolRuleInput[] {
  return Array.from({ length: count }, (_, i): ToolRuleInput => {
    const server = SERVERS[i % SERVERS.length]!;
    switch (i % 5) {
      case 0: return { id: `${prefix}-${i}`, match: `${server}/delete_${i}_*`, action: 'deny' };
      case 1: return { id: `${prefix}-${i}`, match: `${server}/tool_${i % 50}`, annotations: { destructiveHint: true }, action: 'ask' };
      case 2: return { id: `${prefix}-${i}`, match: `${server}/*`, arguments: [{ path: 'path', prefix: `/forbidden/${i}/` }], action: 'deny' };
      case 3: return { id: `${prefix}-${i}`, match: `${server}/write_*`, arguments: [{ path: 'mode', matches: '^(force|overwrite)$' }], action: 'ask' };
      default: return { id: `${prefix}-${i}`, match: `other${i}/**`, action: 'allow' };
    }
  });
}

function buildEngine(): PolicyEngine {
  return new PolicyEngine({
    managed: { state: 'active', path: '/bench/managed.json', policy: PolicyDocumentSchema.parse({ version: 1, tools: rules(100, 'managed') }) },
    org: { state: 'active', url: 'https://org.bench/policy', fetchedAt: new Date().toISOString(), policy: PolicyDocumentSchema.parse({ version: 1, tools: rules(60, 'org') }) },
    user: UserPolicySchema.parse({ tools: rules(40, 'user') }),
  });
}

function perCallMicros(iterations: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 5_000); i++) body(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body(i);
  return Number(process.hrtime.bigint() - start) / 1_000 / iterations;
}

export async function runPolicyBench(): Promise<Row[]> {
  const engine = buildEngine();
  const rows: Row[] = [];
  const args = { path: '/home/me/project/file.txt', mode: 'append' };
  let sink = 0;

  rows.push({
    name: 'policy evaluate per call (200 rules, steady state)',
    value: round(perCallMicros(200_000, (i) => { sink += engine.evaluate({ serverId: SERVERS[i % 20]!, name: TOOLS[i % 50]!, annotations: { readOnlyHint: false }, arguments: args }).action.length; })),
    unit: 'µs',
    goal: '< 50 µs',
  });

  // Every call a tool name never seen before: the glob scan over all 200 rules is paid each time.
  rows.push({
    name: 'policy evaluate per call (200 rules, unseen tool)',
    value: round(perCallMicros(50_000, (i) => { sink += engine.evaluate({ serverId: SERVERS[i % 20]!, name: `fresh_${i}`, arguments: args }).action.length; })),
    unit: 'µs',
    goal: '< 50 µs',
  });

  rows.push({
    name: 'policy engine compile (200 rules)',
    value: round(perCallMicros(200, () => { sink += buildEngine().failClosed ? 1 : 0; })),
    unit: 'µs',
  });

  // The whole interceptor on tools/call (evaluation, pin check, context) with an upstream that answers at once.
  const dir = mkdtempSync(path.join(tmpdir(), 'policy-bench-'));
  try {
    const broker = new ApprovalBroker({ timeoutMs: () => 60_000 });
    const pins = new PinStore({ file: path.join(dir, 'tool-pins.json') });
    const server = { id: 'server1', enabled: true, transport: 'stdio', command: 'node', args: [], env: {} } as ServerConfig;
    const interceptor = new PolicyInterceptor({ engine: () => engine, broker, pins, serverConfig: () => server });
    const session: SessionInfo = { sessionId: 'bench', serverId: 'server1', transport: 'socket', clientLabel: 'bench' };
    const tools = TOOLS.map((name) => ({ name, description: `${name} does things`, inputSchema: { type: 'object', properties: { path: { type: 'string' } } }, annotations: { readOnlyHint: true } }));
    const listRequest: JSONRPCRequest = { jsonrpc: '2.0', id: 0, method: 'tools/list', params: {} };
    const signal = new AbortController().signal;
    await interceptor.handle({ session, request: listRequest, signal, startedAt: 0 }, async (r) => ({ jsonrpc: '2.0', id: r.id, result: { tools } }));
    const ok = (r: JSONRPCRequest): Promise<RelayResponse> => Promise.resolve({ jsonrpc: '2.0', id: r.id, result: { content: [] } });
    const iterations = 50_000;
    const requests = Array.from({ length: 50 }, (_, i): JSONRPCRequest => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: TOOLS[i]!, arguments: args } }));
    for (let i = 0; i < 5_000; i++) await interceptor.handle({ session, request: requests[i % 50]!, signal, startedAt: 0 } as CallContext, ok);
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await interceptor.handle({ session, request: requests[i % 50]!, signal, startedAt: 0 } as CallContext, ok);
    rows.push({ name: 'policy interceptor tools/call overhead (200 rules)', value: round(Number(process.hrtime.bigint() - start) / 1_000 / iterations), unit: 'µs', goal: '< 50 µs' });
    broker.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink < 0) console.log(sink);
  return rows;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.main) {
  for (const row of await runPolicyBench()) console.log(`${row.name.padEnd(56)} ${String(row.value).padStart(8)} ${row.unit}${row.goal ? `   goal ${row.goal}` : ''}`);
}
