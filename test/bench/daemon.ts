// The daemon side of the benchmark: a real `switchboard serve` (test/support/daemon.ts: a child
// process on a temp data dir, HTTP port 0) with the echo server configured as `echo`, reached over the
// bridge and over /mcp/echo, and its memory with idle servers configured.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { BENCH_CLIENT_NAME } from './mcp.ts';
import { retryUntil, rssMegabytes, sleep } from './processes.ts';

export interface BenchDaemonOptions {
  /** Command and arguments of the echo server, configured as server `echo`. */
  echoCommand: [string, ...string[]];
  /** How many more stdio servers (echo servers too) to configure, for the memory figure. */
  idleServers: number;
}

export interface BenchDaemon {
  connectBridge(serverId: string): Promise<Client>;
  connectHttp(serverId: string): Promise<Client>;
  /** The daemon's RSS (MB) once every configured server is ready and nothing is happening. */
  settledRssMegabytes(): Promise<number>;
  stop(): Promise<void>;
}

export async function startBenchDaemon(options: BenchDaemonOptions): Promise<BenchDaemon> {
  const [command, ...args] = options.echoCommand;
  const servers = [
    { id: 'echo', transport: 'stdio' as const, command, args },
    ...Array.from({ length: options.idleServers }, (_, i) => ({ id: `idle-${i + 1}`, transport: 'stdio' as const, command, args })),
  ];
  const daemon: TestDaemon = await startTestDaemon({ servers, startTimeoutMs: 30_000 });
  return {
    connectBridge: (serverId) => daemon.bridgeClient(serverId, undefined, BENCH_CLIENT_NAME),
    connectHttp: (serverId) => daemon.httpClient(serverId, undefined, BENCH_CLIENT_NAME),
    async settledRssMegabytes() {
      await retryUntil(`${servers.length} servers ready`, 60_000, async () => {
        const { servers: states } = await daemon.api['servers.list']({});
        const notReady = states.filter((entry) => entry.status.state !== 'ready').map((entry) => `${entry.status.id}=${entry.status.state}`);
        if (notReady.length > 0) throw new Error(notReady.join(', '));
      });
      await sleep(2000);
      return rssMegabytes(daemon.pid);
    },
    stop: () => daemon.stop(),
  };
}
