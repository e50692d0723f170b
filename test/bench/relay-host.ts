// Stand-in for a bridge that would run the relay itself (client ⇄ this process ⇄ server: three
// processes, as direct plus one) instead of passing every message to the daemon. Used only by
// process-model.ts to measure what that process model could reach; not a product path.
//   node test/bench/relay-host.ts <mode> <server args…>
//     bare         lines in, lines out (parse and serialise each message), nothing else: the ceiling
//     relay        the project's RelaySession between stdio and the server, no interceptors
//     audit-only   RelaySession with the daemon's audit interceptor (real SQLite store in a temporary
//                  data folder)
//     policy-only  RelaySession with the daemon's policy interceptor (no managed policy)
//     audited      both, in the daemon's order: what the daemon does per call, in here
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { AuditInterceptor } from '../../main/audit/audit-interceptor.ts';
import { loadDeviceIdentity } from '../../main/audit/device-identity.ts';
import { AuditStore } from '../../main/audit/store.ts';
import { PolicyStack } from '../../main/policy/policy-stack.ts';
import type { Interceptor } from '../../main/relay/interceptor.ts';
import { silentLogger } from '../../main/base/logger.ts';
import { LineReader, serialize, writeCoalesced } from '../../main/base/ndjson.ts';
import { RelaySession } from '../../main/relay/relay-session.ts';
import { ChildProcessTransport } from '../../main/servers/child-process-transport.ts';
import { ServerConfigSchema } from '../../shared/config.ts';

const [mode, ...serverArgs] = process.argv.slice(2);

class StdioDownstream implements Transport {
  onclose?: () => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly reader = new LineReader({ message: (m) => this.onmessage?.(m), problem: () => undefined });
  async start(): Promise<void> {
    process.stdin.on('data', (chunk: Buffer) => this.reader.push(chunk));
    process.stdin.on('end', () => this.onclose?.());
  }
  async send(message: JSONRPCMessage): Promise<void> {
    writeCoalesced(process.stdout, serialize(message));
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}

if (mode === 'bare') {
  const upstream = new ChildProcessTransport({ command: process.execPath, args: serverArgs });
  const down = new StdioDownstream();
  upstream.onmessage = (m) => void down.send(m);
  down.onmessage = (m) => void upstream.send(m);
  down.onclose = () => void upstream.close().then(() => process.exit(0));
  await upstream.start();
  await down.start();
} else if (mode === 'relay' || mode === 'audit-only' || mode === 'policy-only' || mode === 'audited') {
  const interceptors: Interceptor[] = [];
  let closeAll = () => undefined as void;
  if (mode !== 'relay') {
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-host-'));
    const server = ServerConfigSchema.parse({ id: 'echo', transport: 'stdio', command: process.execPath, args: serverArgs });
    const store = AuditStore.open(dataDir);
    const policy = new PolicyStack({
      dataDir,
      managedPath: join(dataDir, 'no-managed-policy.json'),
      userPolicy: () => undefined,
      addUserRule: () => undefined,
      serverConfig: () => server,
    });
    await policy.start();
    if (mode !== 'policy-only') interceptors.push(new AuditInterceptor({ store, identity: loadDeviceIdentity(dataDir), captureMode: () => 'redacted' }));
    if (mode !== 'audit-only') interceptors.push(policy.interceptor);
    closeAll = () => {
      policy.stop();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const relay = new RelaySession({
    session: { sessionId: 'relay-host', serverId: 'echo', transport: 'socket', clientLabel: 'bridge' },
    downstream: new StdioDownstream(),
    connectUpstream: async () => new ChildProcessTransport({ command: process.execPath, args: serverArgs }),
    interceptors,
    requestTimeoutMs: 60_000,
    logger: silentLogger,
    onClosed: () => {
      closeAll();
      process.exit(0);
    },
  });
  await relay.start();
} else {
  throw new Error(`unknown mode ${mode}: bare, relay, audit-only, policy-only or audited`);
}
