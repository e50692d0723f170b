// A secret set through the CLI reaches a real stdio server's environment and a real remote
// server's request header, resolved only at launch; it appears in no file under the data folder.
import { afterEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { registerSecretCommands } from '../../../main/cli/secrets.ts';
import { JsonConfigFile } from '../../../main/clients/config-access.ts';
import { connectRemote } from '../../../main/oauth/connect-remote.ts';
import { createSecretResolver } from '../../../main/secrets/resolve-secrets.ts';
import { resolveServerLaunch } from '../../../main/secrets/resolve-server.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { startHeaderEchoServer } from '../../support/header-echo-server.ts';
import { filesContaining, uniqueService } from '../../unit/secrets/keychain-helpers.ts';

const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe('a secret set through the CLI', () => {
  it('reaches a stdio server env and a remote server header, and no file in the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-secret-flow-'));
    const store = new KeyringSecretStore({ service: uniqueService() });
    cleanups.push(async () => { for (const n of await store.list()) await store.delete(n); rmSync(dataDir, { recursive: true, force: true }); });
    const setSecret = async (name: string, value: string): Promise<void> => {
      const program = new Command().exitOverride();
      registerSecretCommands(program, { dataDir, secretStore: store, stdin: Readable.from([`${value}\n`]), stdout: new PassThrough(), stderr: new PassThrough() });
      await program.parseAsync(['node', 'switchboard', 'secret', 'set', name]);
    };
    const envValue = 'sk-flow-env-4f9a1c0e7b2d5a8c3e6f9b1d4a7c0e3f';
    const headerValue = 'Bearer flow-header-8e1b4d7a0c3f6e9b2d5a8c1e4f7b0d3a';
    await setSecret('everything-key', envValue);
    await setSecret('remote-auth', headerValue);

    const echoServer = await startHeaderEchoServer();
    cleanups.push(() => echoServer.close());
    const { url } = echoServer;
    const config = new JsonConfigFile(join(dataDir, 'config.json'));
    await config.update((c) => {
      c.servers.push({ id: 'everything', enabled: true, transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], env: { EVERYTHING_API_KEY: { secret: 'everything-key' } } });
      c.servers.push({ id: 'remote', enabled: true, transport: 'streamable-http', url, headers: { Authorization: { secret: 'remote-auth' } } });
    });
    const resolve = createSecretResolver(store);
    const [stdioServer, remoteServer] = (await config.read()).servers;

    const stdio = await resolveServerLaunch(stdioServer!, resolve);
    if (stdio.kind !== 'stdio') throw new Error('expected stdio');
    const stdioClient = new Client({ name: 'test', version: '1.0.0' });
    await stdioClient.connect(new StdioClientTransport({ command: stdio.command, args: stdio.args, env: { ...getDefaultEnvironment(), ...stdio.env }, stderr: 'ignore' }));
    cleanups.push(() => stdioClient.close());
    const env = await stdioClient.callTool({ name: 'get-env', arguments: {} });
    expect(JSON.parse((env.content as Array<{ text: string }>)[0]!.text).EVERYTHING_API_KEY).toBe(envValue);

    const remote = await resolveServerLaunch(remoteServer!, resolve);
    if (remote.kind !== 'remote') throw new Error('expected remote');
    const remoteClient = await connectRemote({ url: remote.url, transport: remote.transport, headers: remote.headers });
    cleanups.push(() => remoteClient.close());
    const echoed = await remoteClient.callTool({ name: 'whoami', arguments: {} });
    expect((echoed.content as Array<{ text: string }>)[0]!.text).toBe(headerValue);

    expect(filesContaining(dataDir, envValue)).toEqual([]);
    expect(filesContaining(dataDir, 'flow-header-8e1b4d7a')).toEqual([]);
  });

  it('fails the launch with the secret and server named when the secret is missing', async () => {
    const store = new KeyringSecretStore({ service: uniqueService() });
    await expect(resolveServerLaunch(
      { id: 'gh', enabled: true, transport: 'stdio', command: 'x', args: [], env: { GITHUB_TOKEN: { secret: 'gh-token' } } },
      createSecretResolver(store),
    )).rejects.toThrow(/secret "gh-token" \(used by gh, GITHUB_TOKEN\) is not in the OS keychain/);
  });
});
