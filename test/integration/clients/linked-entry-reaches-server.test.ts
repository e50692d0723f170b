// A linked entry, run exactly as the client would run it (the spawn command of a Claude Desktop
// entry, the URL and header of a Cursor entry), reaches the server through a real daemon; unlink
// puts the original bytes back and revokes the client's token.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { adapterFor } from '../../../main/clients/adapters/index.ts';
import { ClientService } from '../../../main/clients/client-service.ts';
import { JsonConfigFile } from '../../../main/clients/config-access.ts';
import { launchSpecFromFile, type LaunchSpec } from '../../../main/clients/launch-spec.ts';
import { createLinkEndpoint } from '../../../main/clients/link-endpoint.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { EVERYTHING_SERVER, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { uniqueService } from '../../unit/secrets/keychain-helpers.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function connectAsClient(spec: LaunchSpec): Promise<Client> {
  const client = new Client({ name: 'linked-client', version: '1.0.0' });
  if (spec.kind === 'spawn') {
    await client.connect(new StdioClientTransport({ command: spec.command, args: spec.args, env: { ...getDefaultEnvironment(), ...spec.env }, stderr: 'ignore' }));
  } else {
    await client.connect(new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } }));
  }
  cleanups.push(() => client.close());
  return client;
}

async function echo(client: Client, message: string): Promise<string> {
  const result = await client.callTool({ name: 'echo', arguments: { message } });
  return (result.content as Array<{ text: string }>)[0]!.text;
}

const FILES: Array<{ client: string; path: string[]; entryPath: string[]; text: (entry: object) => string }> = [
  { client: 'claude-desktop', path: ['.config', 'Claude', 'claude_desktop_config.json'], entryPath: ['mcpServers', 'everything'],
    text: (e) => `${JSON.stringify({ mcpServers: { everything: e }, globalShortcut: 'Alt+Space' }, null, 2)}\n` },
  { client: 'cursor', path: ['.cursor', 'mcp.json'], entryPath: ['mcpServers', 'everything'],
    text: (e) => `{\n  "mcpServers": {\n    "everything": ${JSON.stringify(e)}\n  },\n  "x-unknown": [1, 2]\n}\n` },
  { client: 'vscode', path: ['.config', 'Code', 'User', 'mcp.json'], entryPath: ['servers', 'everything'],
    text: (e) => `// user MCP servers\n{\n\t"servers": {\n\t\t"everything": ${JSON.stringify({ type: 'stdio', ...e })} // kept\n\t},\n\t"inputs": []\n}\n` },
  { client: 'windsurf', path: ['.codeium', 'windsurf', 'mcp_config.json'], entryPath: ['mcpServers', 'everything'],
    text: (e) => `${JSON.stringify({ mcpServers: { everything: { ...e, disabled: false } } }, null, 2)}\n` },
  { client: 'claude-code', path: ['.claude.json'], entryPath: ['projects', '/src/app', 'mcpServers', 'everything'],
    text: (e) => `${JSON.stringify({ numStartups: 3, projects: { '/src/app': { allowedTools: [], mcpServers: { everything: { type: 'stdio', ...e } } } } }, null, 2)}\n` },
];

describe('linked entries through the daemon', () => {
  it('every client\'s linked entry, run as that client runs it, reaches server-everything; unlink restores and revokes', async () => {
    const daemon: TestDaemon = await startTestDaemon();
    cleanups.push(() => daemon.stop());
    const home = join(daemon.dataDir, 'home');
    const entry = { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], env: { EVERYTHING_MODE: 'test' } };
    const originals = new Map<string, Buffer>();
    for (const f of FILES) {
      const file = join(home, ...f.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, f.text(entry));
      originals.set(f.client, readFileSync(file));
    }

    const secrets = new KeyringSecretStore({ service: uniqueService() });
    cleanups.push(async () => { for (const n of await secrets.list()) await secrets.delete(n); });
    const service = new ClientService({
      config: new JsonConfigFile(join(daemon.dataDir, 'config.json')),
      secrets,
      endpoint: createLinkEndpoint({ dataDir: daemon.dataDir, httpPort: daemon.httpPort }),
      env: { platform: 'linux', home },
    });

    const urlSpecs: LaunchSpec[] = [];
    for (const f of FILES) {
      await service.link(f.client);
      const spec = await launchSpecFromFile(adapterFor(f.client), join(home, ...f.path), f.entryPath);
      expect(spec.kind).toBe(adapterFor(f.client).linkMode === 'bridge' ? 'spawn' : 'http');
      // The daemon picks up new servers and tokens when it reloads config.json: a bounded wait.
      let client: Client | undefined;
      for (let attempt = 0; attempt < 50 && !client; attempt++) {
        client = await connectAsClient(spec).catch(async () => { await new Promise((r) => setTimeout(r, 100)); return undefined; });
      }
      expect(client, `${f.client}: the linked entry could not connect`).toBeDefined();
      expect(await echo(client!, `via ${f.client}`)).toContain(`via ${f.client}`);
      if (spec.kind === 'http') urlSpecs.push(spec);
    }

    for (const f of FILES) {
      await service.unlink(f.client);
      expect(readFileSync(join(home, ...f.path)), f.client).toEqual(originals.get(f.client));
    }
    expect((await new JsonConfigFile(join(daemon.dataDir, 'config.json')).read()).tokens.map((t) => t.name)).toEqual(['test-client']);

    // The tokens written into the URL clients' files are revoked: those entries are now refused.
    for (const spec of urlSpecs) {
      let refused = false;
      for (let attempt = 0; attempt < 50 && !refused; attempt++) {
        refused = await connectAsClient(spec).then(() => false, () => true);
        if (!refused) await new Promise((r) => setTimeout(r, 100));
      }
      expect(refused).toBe(true);
    }
  }, 90_000);
});
