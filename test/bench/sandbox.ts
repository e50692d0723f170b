// The sandbox's cost: a stdio echo server started and called through `switchboard bridge`, once
// unconfined and once in bubblewrap (network none, the repo read-only), on one daemon. Start time
// is the daemon's restart of the server (its probe process spawned, through bwrap for the sandboxed
// one, until initialize is answered, as servers.restart reports), the median of several; calls/s and p50 come
// from the two paths taking turns in rounds (measureInRounds). Goal (issue 17): calls/s within 5%.
//   node test/bench/run.ts --only sandbox
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { REPO_ROOT, startTestDaemon } from '../support/daemon.ts';
import { BENCH_CLIENT_NAME, measureInRounds } from './mcp.ts';
import { echoServer } from './peers.ts';

interface Row {
  name: string;
  [figure: string]: string | number;
}

const STARTS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function runSandboxBench(): Promise<Row[]> {
  const node = process.execPath;
  const daemon = await startTestDaemon({
    startTimeoutMs: 30_000,
    servers: [
      { id: 'plain', transport: 'stdio', command: node, args: [echoServer] },
      { id: 'sandboxed', transport: 'stdio', command: node, args: [echoServer], sandbox: { enabled: true, network: 'none', readOnly: [REPO_ROOT], readWrite: [] } },
    ],
  });
  try {
    const starts: Record<'plain' | 'sandboxed', number[]> = { plain: [], sandboxed: [] };
    for (let i = 0; i < STARTS; i++) {
      for (const id of ['plain', 'sandboxed'] as const) {
        const began = performance.now();
        const status = await daemon.api['servers.restart']({ id });
        starts[id].push(performance.now() - began);
        if (status.state !== 'ready') throw new Error(`${id} did not start: ${status.reason ?? status.state}`);
      }
    }
    const clients = new Map<'plain' | 'sandboxed', Client>([
      ['plain', await daemon.bridgeClient('plain', undefined, BENCH_CLIENT_NAME)],
      ['sandboxed', await daemon.bridgeClient('sandboxed', undefined, BENCH_CLIENT_NAME)],
    ]);
    const results = await measureInRounds(clients, { calls: 3000, concurrency: 16, warmupCalls: 1000, timeoutMs: 300_000, rounds: 3 });
    const rows: Row[] = [];
    for (const id of ['plain', 'sandboxed'] as const) {
      const result = results.get(id);
      if (!result || result instanceof Error) throw result ?? new Error(`no result for ${id}`);
      rows.push({ name: `bridge → echo, ${id === 'plain' ? 'unsandboxed' : 'bwrap network=none'}`, startMedianMs: median(starts[id]), p50Ms: result.p50Ms, callsPerSecond: result.callsPerSecond });
    }
    const share = (rows[1]!.callsPerSecond as number) / (rows[0]!.callsPerSecond as number);
    rows.push({ name: 'sandboxed vs unsandboxed (goal: calls/s within 5%)', callsPerSecond: `${(share * 100).toFixed(1)}%`, startAddedMs: (rows[1]!.startMedianMs as number) - (rows[0]!.startMedianMs as number), met: share >= 0.95 ? 'yes' : 'NO' });
    return rows;
  } finally {
    await daemon.stop();
  }
}
