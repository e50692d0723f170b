// The whole product path for a secret: `switchboard secret set` (the real binary, value on stdin)
// puts it in the OS keychain (a per-test service through $SWITCHBOARD_KEYCHAIN_SERVICE); a real
// `switchboard serve` resolves the references when it spawns a stdio server-everything (its env)
// and when it calls a remote server (its header); clients reach both through /mcp/<id> and the
// bridge. Afterwards no file under the data folder (config.json, audit.db*, anything else), nor
// the daemon's log, holds the value.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { runCli } from '../../support/cli.ts';
import { EVERYTHING_SERVER, startTestDaemon } from '../../support/daemon.ts';
import { startHeaderEchoServer } from '../../support/header-echo-server.ts';
import { filesContaining, uniqueService } from '../../unit/secrets/keychain-helpers.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ type: string; text: string }>)[0]!.text;
}

describe('a secret set with `switchboard secret set`, through a running daemon', () => {
  it('reaches the stdio server env and the remote server header, and is in no file of the data folder', async () => {
    const service = uniqueService();
    const env = { SWITCHBOARD_KEYCHAIN_SERVICE: service };
    const store = new KeyringSecretStore({ service });
    cleanups.push(async () => { for (const name of await store.list()) await store.delete(name); });
    const cliDir = mkdtempSync(join(tmpdir(), 'switchboard-secret-cli-'));
    cleanups.push(() => rmSync(cliDir, { recursive: true, force: true }));

    const envValue = 'sk-daemon-env-3c8e1f4a7b0d2e5f8a1c4b7e0d3f6a9c';
    const headerToken = 'daemon-header-9b2e5a8d1f4c7e0b3a6d9f2c5e8b1a4d';
    for (const [name, value] of [['everything-key', envValue], ['remote-auth', `Bearer ${headerToken}`]] as const) {
      const set = await runCli(['secret', 'set', name, '--data-dir', cliDir], { env, input: `${value}\n` });
      expect(set, set.stderr).toMatchObject({ code: 0 });
      expect(set.stdout).toContain(`stored secret "${name}"`);
    }
    const listed = await runCli(['secret', 'list', '--json', '--data-dir', cliDir], { env });
    expect(JSON.parse(listed.stdout)).toEqual(['everything-key', 'remote-auth']);

    const remote = await startHeaderEchoServer();
    cleanups.push(() => remote.close());
    const daemon = await startTestDaemon({
      env,
      servers: [
        { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], env: { EVERYTHING_API_KEY: { secret: 'everything-key' }, PLAIN: 'plain-value' } },
        { id: 'remote', transport: 'streamable-http', url: remote.url, headers: { Authorization: { secret: 'remote-auth' }, 'X-Plain': 'plain' } },
      ],
    });
    cleanups.push(() => daemon.stop());

    for (const client of [await daemon.httpClient('everything'), await daemon.bridgeClient('everything')]) {
      const shown = JSON.parse(text(await client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
      expect(shown.EVERYTHING_API_KEY).toBe(envValue);
      expect(shown.PLAIN).toBe('plain-value');
    }
    for (const client of [await daemon.httpClient('remote'), await daemon.bridgeClient('remote')]) {
      expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(`Bearer ${headerToken}`);
      expect(text(await client.callTool({ name: 'whoami', arguments: { header: 'x-plain' } }))).toBe('plain');
    }

    // Stop the daemon first so everything it buffers (SQLite WAL checkpoint, logs) is on disk.
    const config = readFileSync(join(daemon.dataDir, 'config.json'), 'utf8');
    expect(config).toContain('"secret": "everything-key"');
    process.kill(daemon.pid, 'SIGTERM');
    await expect.poll(() => daemon.alive(), { timeout: 15_000, interval: 50 }).toBe(false);
    const scanned = readdirSync(daemon.dataDir, { recursive: true, encoding: 'utf8' });
    expect(scanned).toEqual(expect.arrayContaining(['config.json', expect.stringMatching(/^audit\.db/)]));
    for (const needle of [envValue, headerToken]) {
      expect(filesContaining(daemon.dataDir, needle), needle).toEqual([]);
      expect(filesContaining(cliDir, needle), needle).toEqual([]);
      expect(daemon.logs()).not.toContain(needle);
    }
  }, 90_000);
});
