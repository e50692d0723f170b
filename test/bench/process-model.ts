// Ad-hoc: what the bridge path could reach with a different process model. Measures, in
// interleaved rounds like `npm run bench`, the direct connection, today's bridge (client ⇄ bridge
// ⇄ daemon ⇄ server) and three stand-ins for a bridge that runs the relay itself (relay-host.ts:
// bare lines, the RelaySession alone, the RelaySession with audit and policy).
//   node test/bench/process-model.ts [calls per path, default 5000]
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { fileURLToPath } from 'node:url';
import { startTestDaemon } from '../support/daemon.ts';
import { connectStdio, measureInRounds, type LoadResult } from './mcp.ts';
import { echoServer } from './peers.ts';

const calls = Number(process.argv[2] ?? 5000);
const relayHost = fileURLToPath(new URL('./relay-host.ts', import.meta.url));
const daemon = await startTestDaemon({ servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [echoServer] }] });
const clients = new Map<string, Client>([
  ['direct', await connectStdio(process.execPath, [echoServer])],
  ['bridge today', await daemon.bridgeClient('echo')],
  ['relay-host bare', await connectStdio(process.execPath, [relayHost, 'bare', echoServer])],
  ['relay-host relay', await connectStdio(process.execPath, [relayHost, 'relay', echoServer])],
  ['relay-host audit-only', await connectStdio(process.execPath, [relayHost, 'audit-only', echoServer])],
  ['relay-host policy-only', await connectStdio(process.execPath, [relayHost, 'policy-only', echoServer])],
  ['relay-host audited', await connectStdio(process.execPath, [relayHost, 'audited', echoServer])],
]);
try {
  const results = await measureInRounds(clients, { calls, warmupCalls: 2000, rounds: 5, concurrency: 16, timeoutMs: 600_000 });
  const direct = results.get('direct');
  if (!direct || direct instanceof Error) throw direct ?? new Error('direct path missing');
  console.log(`${'path'.padEnd(24)} ${'calls/s'.padStart(8)} ${'p50 ms'.padStart(7)}  share of direct  added p50`);
  for (const [path, result] of results) {
    if (result instanceof Error) {
      console.log(`${path.padEnd(24)} failed: ${result.message}`);
      continue;
    }
    const r: LoadResult = result;
    console.log(`${path.padEnd(24)} ${Math.round(r.callsPerSecond).toString().padStart(8)} ${r.p50Ms.toFixed(2).padStart(7)}  ${`${Math.round((r.callsPerSecond / direct.callsPerSecond) * 100)} %`.padStart(15)}  ${(r.p50Ms - direct.p50Ms).toFixed(2).padStart(6)} ms`);
  }
} finally {
  for (const client of clients.values()) await client.close().catch(() => undefined);
  await daemon.stop();
}
