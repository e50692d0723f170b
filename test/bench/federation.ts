// The federated endpoint's cost (issue 14): calls to one tool through /mcp for a profile of three
// echo servers, beside the single-server HTTP path /mcp/echo on the same daemon, the two paths
// taking turns in rounds (measureInRounds). Goal: within 10% on calls/s and p50. And tools/list
// over a profile of 10 fixture servers with 300 tools after warm-up. Goal: < 20 ms.
//   node test/bench/run.ts --only federation
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { prepareDataDir, startTestDaemon } from '../support/daemon.ts';
import { MANY_TOOLS_SERVER } from '../support/many-tools-server.ts';
import { addProfiles } from '../support/profile-fixture.ts';
import { connectHttp, measureInRounds } from './mcp.ts';
import { echoServer } from './peers.ts';

interface Row {
  name: string;
  [figure: string]: string | number;
}

const LIST_WARMUP = 30;
const LISTS = 100;

export async function runFederationBench(): Promise<Row[]> {
  const node = process.execPath;
  const many = Array.from({ length: 10 }, (_, i) => `many-${i + 1}`);
  const data = prepareDataDir({
    prefix: 'switchboard-bench-federation-',
    servers: [
      ...['echo', 'echo-2', 'echo-3'].map((id) => ({ id, transport: 'stdio', command: node, args: [echoServer] })),
      ...many.map((id) => ({ id, transport: 'stdio', command: node, args: [MANY_TOOLS_SERVER, id.replace('-', ''), '30'] })),
    ],
  });
  const tokens = addProfiles(data.dataDir, [
    // The drive calls `echo`: the profile names echo's tool so; the other two are namespaced.
    { name: 'three', servers: ['echo', 'echo-2', 'echo-3'], tools: { 'echo/echo': { name: 'echo' } } },
    { name: 'wide', servers: many },
  ], { three: { profile: 'three' }, wide: { profile: 'wide' } });
  const daemon = await startTestDaemon({ data, startTimeoutMs: 60_000 });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  try {
    const single = await connectHttp(`${daemon.baseUrl}/mcp/echo`, auth(data.clientToken));
    const federated = await connectHttp(`${daemon.baseUrl}/mcp`, auth(tokens.three!));
    // All three servers open before measuring (a profile opens its servers at the first tools/list).
    const names = (await federated.listTools()).tools.map((tool) => tool.name);
    if (!names.includes('echo') || !names.includes('echo-2__echo')) throw new Error(`unexpected federated tools: ${names.join(', ')}`);
    const clients = new Map<'single' | 'federated', Client>([['single', single], ['federated', federated]]);
    const results = await measureInRounds(clients, { calls: 3000, concurrency: 16, warmupCalls: 1000, timeoutMs: 300_000, rounds: 3 });
    const rows: Row[] = [];
    const figures: Record<string, { p50Ms: number; callsPerSecond: number }> = {};
    for (const [key, label] of [['single', 'HTTP /mcp/echo (one server)'], ['federated', 'HTTP /mcp, federated profile of 3 servers']] as const) {
      const result = results.get(key);
      if (!result || result instanceof Error) throw result ?? new Error(`no result for ${key}`);
      figures[key] = result;
      rows.push({ name: label, p50Ms: result.p50Ms, p99Ms: result.p99Ms, callsPerSecond: result.callsPerSecond });
    }
    const throughput = figures.federated!.callsPerSecond / figures.single!.callsPerSecond;
    const latency = figures.federated!.p50Ms / figures.single!.p50Ms;
    rows.push({
      name: 'federated vs one server (goal: within 10%)',
      callsPerSecond: `${(throughput * 100).toFixed(1)}%`,
      p50: `${(latency * 100).toFixed(1)}%`,
      met: throughput >= 0.9 && latency <= 1.1 ? 'yes' : 'NO',
    });

    const wide = await connectHttp(`${daemon.baseUrl}/mcp`, auth(tokens.wide!));
    let count = 0;
    for (let i = 0; i < LIST_WARMUP; i++) count = (await wide.listTools()).tools.length;
    const times: number[] = [];
    for (let i = 0; i < LISTS; i++) {
      const began = performance.now();
      await wide.listTools();
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)]!;
    rows.push({ name: 'tools/list, profile of 10 servers (goal: < 20 ms)', tools: count, p50Ms: p50, p99Ms: times[Math.ceil(times.length * 0.99) - 1]!, met: p50 < 20 ? 'yes' : 'NO' });
    await Promise.allSettled([single.close(), federated.close(), wide.close()]);
    return rows;
  } finally {
    await daemon.stop();
    rmSync(data.dataDir, { recursive: true, force: true });
  }
}
