// Ad-hoc: CPU time per process (client, bridge, daemon or peer, server) while a path runs the bench
// load, to see which hop costs what.
//   node test/bench/cpu-split.ts direct|bridge|http|supergateway|mcp-proxy|relay-host:<mode> (modes: relay-host.ts)
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { connectStdio, measureEchoCalls } from './mcp.ts';
import { echoServer as echo, startMcpProxy, startSupergateway } from './peers.ts';
import { cpuSeconds, ProcessGroup } from './processes.ts';

const [path = 'bridge'] = process.argv.slice(2);
function descendants(root: number): Map<number, string> {
  const out = new Map<number, string>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* gone */ }
  }
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      try { out.set(child, readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').slice(1).join(' ').replace(/[^\s]*\//g, '').slice(0, 70)); } catch { /* gone */ }
      walk(child);
    }
  };
  walk(root);
  return out;
}

const group = new ProcessGroup();
let daemon: TestDaemon | undefined;
async function connect(): Promise<Client> {
  switch (path) {
    case 'direct': return connectStdio(process.execPath, [echo]);
    case 'supergateway': return startSupergateway(group);
    case 'mcp-proxy': return startMcpProxy(group);
    case 'bridge':
    case 'http':
      daemon = await startTestDaemon({ servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [echo] }], ...(process.env.DAEMON_NODE_OPTIONS ? { env: { NODE_OPTIONS: process.env.DAEMON_NODE_OPTIONS } } : {}) });
      return path === 'http' ? daemon.httpClient('echo') : daemon.bridgeClient('echo');
    default:
      if (path.startsWith('relay-host:')) return connectStdio(process.execPath, [fileURLToPath(new URL('./relay-host.ts', import.meta.url)), path.slice(11), echo]);
      throw new Error(`unknown path ${path}: direct, bridge, http, supergateway, mcp-proxy or relay-host:<mode>`);
  }
}
const client = await connect();
await measureEchoCalls(client, { calls: 2000, concurrency: 16, warmupCalls: 300, timeoutMs: 120000 });
const procs = descendants(process.pid);
const before = new Map([...procs.keys()].map((pid) => [pid, cpuSeconds(pid)]));
const self0 = process.cpuUsage();
const calls = 10000;
const result = await measureEchoCalls(client, { calls, concurrency: 16, warmupCalls: 0, timeoutMs: 120000 });
const self = process.cpuUsage(self0);
console.log(path, Math.round(result.callsPerSecond), 'calls/s', 'p50', result.p50Ms.toFixed(2));
const perCall = (user: number, system: number) =>
  `${((user + system) * 1e6 / calls).toFixed(0).padStart(4)} µs/call (user ${(user * 1e6 / calls).toFixed(0)}, system ${(system * 1e6 / calls).toFixed(0)})`;
console.log(`${'client'.padEnd(70)} ${perCall(self.user / 1e6, self.system / 1e6)}`);
for (const [pid, name] of procs) {
  const start = before.get(pid)!;
  const now = cpuSeconds(pid);
  if (now.user + now.system - start.user - start.system > 0.01) console.log(`${name.padEnd(70)} ${perCall(now.user - start.user, now.system - start.system)}`);
}
await client.close();
await daemon?.stop();
await group.stopAll();
