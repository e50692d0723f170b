// The load the benchmark puts on each path: one SDK Client (one MCP session, as one AI client would
// have) keeping `concurrency` tools/call requests to the echo tool in flight until `calls` have
// completed, after a warm-up. Latency is per call, from callTool() to its result.
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { retryUntil } from './processes.ts';

export interface LoadOptions {
  calls: number;
  concurrency: number;
  warmupCalls: number;
  /** The whole measurement (warm-up included) must finish within this. */
  timeoutMs: number;
}

export interface LoadResult {
  calls: number;
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
}

export const BENCH_CLIENT_NAME = 'switchboard-bench';

export function newBenchClient(): Client {
  return new Client({ name: BENCH_CLIENT_NAME, version: '1.0.0' });
}

export async function connectStdio(command: string, args: string[], env?: Record<string, string>): Promise<Client> {
  const client = newBenchClient();
  await client.connect(
    new StdioClientTransport({ command, args, stderr: 'ignore', ...(env ? { env: { ...(process.env as Record<string, string>), ...env } } : {}) }),
  );
  return client;
}

/** Connects once the server at `url` accepts an MCP session (it may still be starting). */
export async function connectHttp(url: string, headers: Record<string, string> = {}, readyTimeoutMs = 20_000): Promise<Client> {
  return retryUntil(url, readyTimeoutMs, async () => {
    const client = newBenchClient();
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** Runs `calls` echo calls, `concurrency` at a time, checking each answer; pushes each call's latency (ms) to `latencies`. */
export async function drive(client: Client, calls: number, concurrency: number, deadline: number, latencies?: number[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      if (performance.now() > deadline) throw new Error('timed out');
      const i = next++;
      const text = `call ${i}`;
      const started = performance.now();
      const result = await client.callTool({ name: 'echo', arguments: { text } });
      latencies?.push(performance.now() - started);
      const content = result.content as { type: string; text?: string }[] | undefined;
      if (result.isError || content?.[0]?.text !== text) {
        throw new Error(`echo returned ${JSON.stringify(result).slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const TURN_PAUSE_MS = 200;

/**
 * Measures several paths together, in rounds: every path gets its warm-up, then each round runs
 * calls/rounds calls on every path in turn. A slow minute of a shared machine then falls on all
 * paths alike instead of on whichever ran during it, which is what makes ratios between paths
 * from one run worth quoting. A path that fails is reported as its error and left out of later
 * rounds. Latencies are pooled over the rounds; calls/s is all calls over all measured time.
 */
export async function measureInRounds<K extends string>(
  clients: ReadonlyMap<K, Client>,
  options: LoadOptions & { rounds: number },
  onProgress?: (key: K, round: number) => void,
): Promise<Map<K, LoadResult | Error>> {
  const deadline = performance.now() + options.timeoutMs;
  const results = new Map<K, LoadResult | Error>();
  const latencies = new Map<K, number[]>();
  const elapsed = new Map<K, number>();
  const live = new Map(clients);
  const attempt = async (key: K, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      results.set(key, error instanceof Error ? error : new Error(String(error)));
      live.delete(key);
    }
  };
  for (const [key, client] of live) await attempt(key, () => drive(client, options.warmupCalls, options.concurrency, deadline));
  const perRound = Math.ceil(options.calls / options.rounds);
  for (let round = 0; round < options.rounds; round++) {
    for (const [key, client] of live) {
      // Work a path leaves behind (the daemon indexes audit rows up to 50 ms after its calls) is
      // done before the next path's turn starts, not counted against it.
      await new Promise((resolve) => setTimeout(resolve, TURN_PAUSE_MS));
      await attempt(key, async () => {
        const into = latencies.get(key) ?? [];
        latencies.set(key, into);
        const started = performance.now();
        await drive(client, perRound, options.concurrency, deadline, into);
        elapsed.set(key, (elapsed.get(key) ?? 0) + performance.now() - started);
      });
      onProgress?.(key, round);
    }
  }
  for (const key of live.keys()) {
    const sorted = (latencies.get(key) ?? []).sort((a, b) => a - b);
    results.set(key, {
      calls: sorted.length,
      concurrency: options.concurrency,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      callsPerSecond: (sorted.length / elapsed.get(key)!) * 1000,
    });
  }
  return results;
}

export async function measureEchoCalls(client: Client, options: LoadOptions): Promise<LoadResult> {
  const deadline = performance.now() + options.timeoutMs;
  await drive(client, options.warmupCalls, options.concurrency, deadline);
  const latencies: number[] = [];
  const started = performance.now();
  await drive(client, options.calls, options.concurrency, deadline, latencies);
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    calls: options.calls,
    concurrency: options.concurrency,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    callsPerSecond: (options.calls / elapsedMs) * 1000,
  };
}
