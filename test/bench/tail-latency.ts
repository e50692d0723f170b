// Ad-hoc: the tail of one daemon path's latency (p99.9 and the slowest call) under the bench load,
// where `npm run bench` stops at p99. Event-loop stalls in the daemon (a checkpoint's fsync, a long
// merge) show here first. Alternate runs of two versions to compare them.
//   node test/bench/tail-latency.ts bridge|http [calls]
import { startTestDaemon } from '../support/daemon.ts';
import { drive } from './mcp.ts';
import { echoServer } from './peers.ts';

const [path = 'bridge', callsArg] = process.argv.slice(2);
if (path !== 'bridge' && path !== 'http') throw new Error(`unknown path ${path}: bridge or http`);
const calls = Number(callsArg ?? (path === 'http' ? 8000 : 30000));
const daemon = await startTestDaemon({ servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [echoServer] }] });
try {
  const client = path === 'http' ? await daemon.httpClient('echo') : await daemon.bridgeClient('echo');
  const deadline = performance.now() + 600_000;
  await drive(client, 3000, 16, deadline);
  const latencies: number[] = [];
  const started = performance.now();
  await drive(client, calls, 16, deadline, latencies);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!.toFixed(2);
  console.log(`${path}: ${(calls / seconds).toFixed(0)} calls/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, p99.9 ${at(0.999)} ms, slowest ${latencies.at(-1)!.toFixed(1)} ms`);
  await client.close();
} finally {
  await daemon.stop();
}

