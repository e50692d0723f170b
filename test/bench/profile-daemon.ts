// Ad-hoc: CPU profile of the daemon while the HTTP or bridge path is under bench load.
//   node test/bench/profile-daemon.ts http|bridge <dir> [calls]
import { startTestDaemon } from '../support/daemon.ts';
import { measureEchoCalls } from './mcp.ts';
const [path = 'http', dir = '/tmp/prof', calls = '3000'] = process.argv.slice(2);
const echo = new URL('../support/echo-server.ts', import.meta.url).pathname;
const daemon = await startTestDaemon({ servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [echo] }], env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` } });
const client = path === 'http' ? await daemon.httpClient('echo') : await daemon.bridgeClient('echo');
console.log(await measureEchoCalls(client, { calls: Number(calls), concurrency: 16, warmupCalls: 300, timeoutMs: 120000 }));
await client.close();
await daemon.stop();
