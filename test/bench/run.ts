// `npm run bench`: from one run, p50/p99 latency and calls/s of a trivial echo tool over every path a
// client can take to a stdio server and over the peers we measure against (the paths take turns in
// rounds, see measureInRounds), the daemon's idle memory, the ratios the daemon issue sets as goals,
// then the audit, policy and sandbox benchmarks when they exist.
//   node test/bench/run.ts [--json] [--calls N] [--concurrency N] [--warmup N] [--rounds N] [--only direct,http,…,rss,audit,policy,sandbox,auditQueries]
// --json also writes every figure to test-results/bench.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import os from 'node:os';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectStdio, measureInRounds, type LoadOptions, type LoadResult } from './mcp.ts';
import { ProcessGroup } from './processes.ts';
import { echoServer, startMcpProxy, startSupergateway } from './peers.ts';
import { startBenchDaemon, type BenchDaemon } from './daemon.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const node = process.execPath;

const PATH_KEYS = ['direct', 'bridge', 'http', 'supergateway', 'mcpProxy'] as const;
type PathKey = (typeof PATH_KEYS)[number];

interface PathRow extends Partial<LoadResult> {
  key: PathKey;
  label: string;
  error?: string;
}

interface Goal {
  name: string;
  measured: string;
  goal: string;
  met: boolean | undefined;
}

const LABELS: Record<PathKey, string> = {
  direct: 'direct stdio (SDK StdioClientTransport)',
  bridge: 'switchboard bridge (stdio ⇄ socket ⇄ daemon)',
  http: 'switchboard HTTP /mcp/echo (bearer token)',
  supergateway: 'supergateway --stateful streamableHttp',
  mcpProxy: 'mcp-proxy (streamable HTTP)',
};

function parseArgs(argv: string[]) {
  const value = (flag: string, fallback: number) => {
    const i = argv.indexOf(flag);
    if (i === -1) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
    return n;
  };
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex === -1 ? undefined : new Set((argv[onlyIndex + 1] ?? '').split(','));
  return {
    json: argv.includes('--json'),
    load: {
      calls: value('--calls', 5000),
      concurrency: value('--concurrency', 16),
      // Enough for every process of a path (the SDK client here included) to reach its optimized
      // code: after 300, the direct path still measured at half its steady rate.
      warmupCalls: value('--warmup', 2000),
      timeoutMs: value('--timeout', 300_000),
      rounds: value('--rounds', 5),
    } satisfies LoadOptions & { rounds: number },
    only,
  };
}

interface OpenPath {
  client: Client;
  close(): Promise<void>;
}

type PathStarter = (group: ProcessGroup, onStop: (stop: () => Promise<void>) => void) => Promise<Client>;

/**
 * Starts a path: its processes and a connected client. Every path gets processes of its own (the
 * two daemon paths a daemon each), so no server side is warmed by calls the others did not get.
 */
async function openPath(start: PathStarter): Promise<OpenPath> {
  const group = new ProcessGroup();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await group.stopAll();
  };
  try {
    const client = await start(group, (stop) => stops.push(stop));
    return {
      client,
      async close() {
        await client.close().catch(() => undefined);
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A path through a daemon of its own, with the echo server configured as `echo`. */
function throughDaemon(connect: (daemon: BenchDaemon) => Promise<Client>): PathStarter {
  return async (_group, onStop) => {
    const daemon = await startBenchDaemon({ echoCommand: [node, echoServer], idleServers: 0 });
    onStop(() => daemon.stop());
    return connect(daemon);
  };
}

function fmt(n: number | undefined, digits: number): string {
  return n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits);
}

function goals(rows: Map<PathKey, PathRow>): Goal[] {
  const result: Goal[] = [];
  const direct = rows.get('direct');
  const bridge = rows.get('bridge');
  const http = rows.get('http');
  const ok = (row: PathRow | undefined): row is PathRow & LoadResult => row !== undefined && row.p50Ms !== undefined;
  if (ok(direct) && ok(bridge)) {
    const added = bridge.p50Ms - direct.p50Ms;
    const share = bridge.callsPerSecond / direct.callsPerSecond;
    result.push({ name: 'bridge vs direct, p50 added', measured: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms`, goal: '≤ +1 ms', met: added <= 1 });
    result.push({ name: 'bridge vs direct, calls/s', measured: `${(share * 100).toFixed(0)}% of direct`, goal: '≥ 60%', met: share >= 0.6 });
  }
  for (const peer of ['supergateway', 'mcpProxy'] as const) {
    const other = rows.get(peer);
    if (!ok(http) || !ok(other)) continue;
    const name = peer === 'mcpProxy' ? 'mcp-proxy' : peer;
    const latency = other.p50Ms / http.p50Ms;
    const throughput = http.callsPerSecond / other.callsPerSecond;
    result.push({ name: `HTTP vs ${name}, p50`, measured: `${latency.toFixed(2)}× lower`, goal: '≥ 1.5×', met: latency >= 1.5 });
    result.push({ name: `HTTP vs ${name}, calls/s`, measured: `${throughput.toFixed(2)}× higher`, goal: '≥ 1.5×', met: throughput >= 1.5 });
  }
  return result;
}

type ExtraBench = () => Promise<unknown>;

/** The audit and policy benchmarks are written elsewhere; a missing file is not an error. */
async function loadExtraBench(file: string, name: string): Promise<ExtraBench | undefined> {
  try {
    const module = (await import(file)) as Record<string, unknown>;
    return typeof module[name] === 'function' ? (module[name] as ExtraBench) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(file.replace('./', ''))) {
      return undefined;
    }
    throw error;
  }
}

function extraRows(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) {
    return (result as { rows: Record<string, unknown>[] }).rows;
  }
  return result && typeof result === 'object' ? [result as Record<string, unknown>] : [];
}

function printRow(row: Record<string, unknown>): void {
  const { name, label, ...rest } = row;
  const title = String(name ?? label ?? '');
  const cells = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : String(v)}`);
  console.log(`  ${title.padEnd(44)} ${cells.join('  ')}`);
}

async function main(): Promise<void> {
  const { json, load, only } = parseArgs(process.argv.slice(2));
  const wanted = (key: PathKey) => only === undefined || only.has(key);
  const rows = new Map<PathKey, PathRow>();
  const record = (row: PathRow) => {
    rows.set(row.key, row);
    if (row.error) process.stderr.write(`  ${row.key} failed: ${row.error.split('\n')[0]}\n`);
  };

  console.log(
    `MCP Switchboard benchmark: echo tool, ${load.calls} tools/call per path after ${load.warmupCalls} warm-up calls, ` +
      `concurrency ${load.concurrency} (one SDK client session keeping ${load.concurrency} requests in flight), ` +
      `the paths taking turns in ${load.rounds} rounds`,
  );
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()} ${os.release()}\n`);

  const starters: Record<PathKey, PathStarter> = {
    direct: () => connectStdio(node, [echoServer]),
    bridge: throughDaemon((daemon) => daemon.connectBridge('echo')),
    http: throughDaemon((daemon) => daemon.connectHttp('echo')),
    supergateway: startSupergateway,
    mcpProxy: startMcpProxy,
  };
  const open = new Map<PathKey, OpenPath>();
  try {
    for (const key of PATH_KEYS) {
      if (!wanted(key)) continue;
      try {
        open.set(key, await openPath(starters[key]));
      } catch (error) {
        record({ key, label: LABELS[key], error: error instanceof Error ? error.message : String(error) });
      }
    }
    const measured = await measureInRounds(new Map([...open].map(([key, path]) => [key, path.client])), load, (key, round) =>
      process.stderr.write(`  round ${round + 1}/${load.rounds}: ${key}\n`));
    for (const [key, result] of measured) {
      record(result instanceof Error ? { key, label: LABELS[key], error: result.message } : { key, label: LABELS[key], ...result });
    }
  } finally {
    for (const path of open.values()) await path.close();
  }

  let daemonRss: number | undefined;
  let daemonError: string | undefined;
  if (only === undefined || only.has('rss')) {
    let idle: BenchDaemon | undefined;
    try {
      idle = await startBenchDaemon({ echoCommand: [node, echoServer], idleServers: 20 });
      daemonRss = await idle.settledRssMegabytes();
    } catch (error) {
      daemonError = error instanceof Error ? error.message : String(error);
    } finally {
      await idle?.stop();
    }
  }

  console.log(`${'path'.padEnd(48)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'calls/s'.padStart(10)}`);
  for (const key of PATH_KEYS) {
    const row = rows.get(key);
    if (!row) continue;
    if (row.error) {
      console.log(`${row.label.padEnd(48)}  failed: ${row.error.split('\n')[0]}`);
      continue;
    }
    console.log(`${row.label.padEnd(48)}${fmt(row.p50Ms, 2).padStart(9)}${fmt(row.p99Ms, 2).padStart(9)}${fmt(row.callsPerSecond, 0).padStart(10)}`);
  }
  console.log(`\ndaemon RSS with 20 idle servers configured: ${daemonRss === undefined ? `— (${daemonError ?? 'not measured'})` : `${daemonRss.toFixed(1)} MB`}`);

  const measuredGoals = goals(rows);
  if (measuredGoals.length > 0) {
    console.log(`\n${'goal (issue 2)'.padEnd(36)}${'measured'.padEnd(20)}${'goal'.padEnd(10)}met`);
    for (const goal of measuredGoals) {
      console.log(`${goal.name.padEnd(36)}${goal.measured.padEnd(20)}${goal.goal.padEnd(10)}${goal.met ? 'yes' : 'NO'}`);
    }
  }

  const extras: Record<string, unknown> = {};
  for (const [file, name, key] of [['./audit.ts', 'runAuditBench', 'audit'], ['./policy.ts', 'runPolicyBench', 'policy'], ['./sandbox.ts', 'runSandboxBench', 'sandbox'], ['./observability.ts', 'runObservabilityBench', 'observability'], ['./content-guardrails.ts', 'runContentGuardrailsBench', 'content-guardrails'], ['./guardrails.ts', 'runGuardrailsBench', 'guardrails'],
    ['./audit-queries.ts', 'runAuditQueriesBench', 'auditQueries'], ['./federation.ts', 'runFederationBench', 'federation']] as const) {
    // --only limits the extras too: a run of a few paths stays quick unless it names them.
    if (only !== undefined && !only.has(key)) continue;
    const bench = await loadExtraBench(file, name);
    if (!bench) continue;
    try {
      const result = await bench();
      extras[name] = result;
      console.log(`\n${name}:`);
      for (const row of extraRows(result)) printRow(row);
    } catch (error) {
      extras[name] = { error: error instanceof Error ? error.message : String(error) };
      console.log(`\n${name}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (json) {
    const dir = join(repoRoot, 'test-results');
    await mkdir(dir, { recursive: true });
    const report = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      load,
      paths: Object.fromEntries(rows),
      daemonRssMegabytesWith20IdleServers: daemonRss ?? null,
      goals: measuredGoals,
      ...extras,
    };
    await writeFile(join(dir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log('\nwrote test-results/bench.json');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
