// `switchboard bridge` starts the daemon when none runs — also when a client spawns several
// bridges at once (one daemon wins, the others connect to it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { bridgeTransport, EVERYTHING_SERVER } from '../../support/daemon.ts';
import { processesWithArgs, stopProcesses } from '../../support/processes.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-autostart-'));
const clients: Client[] = [];

// The daemon a bridge starts is detached: no one else stops it. Every `serve` on this folder
// (the one that won, and one that lost the race if it has not exited yet) is stopped, SIGKILL
// after a grace, and only then is the folder removed.
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stopProcesses(processesWithArgs('serve', dataDir));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('bridge without a running daemon', () => {
  it('starts one daemon for concurrent bridges and relays through it', async () => {
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({
      servers: [{ id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }],
      settings: { httpPort: 0 },
    }));
    const connect = async () => {
      const client = new Client({ name: 'autostart', version: '1' });
      await client.connect(bridgeTransport(dataDir, 'everything', []));
      clients.push(client);
      return client;
    };
    const [a, b] = await Promise.all([connect(), connect()]);
    expect((await a.callTool({ name: 'echo', arguments: { message: 'a' } })).content).toEqual([{ type: 'text', text: 'Echo: a' }]);
    expect((await b.callTool({ name: 'echo', arguments: { message: 'b' } })).content).toEqual([{ type: 'text', text: 'Echo: b' }]);
    const info = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { pid: number };
    expect(info.pid).toBeTypeOf('number');
  });
});
