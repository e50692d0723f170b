// A daemon with a profile of three real servers (server-everything, server-memory,
// server-filesystem) and client tokens bound to profiles, for the federated endpoint tests.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EVERYTHING_SERVER, REPO_ROOT, SWITCHBOARD_BIN, prepareDataDir } from './daemon.ts';
import { testRunEnvironment } from './processes.ts';

export const MEMORY_SERVER = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
export const FILESYSTEM_SERVER = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

export interface ProfileTokens {
  readonly dataDir: string;
  /** The folder's own token (no profile): /mcp serves `default` for it. */
  readonly clientToken: string;
  /** token name → token, as written to config.json with its profile. */
  readonly tokens: Readonly<Record<string, string>>;
}

/**
 * A data folder with the three servers (filesystem on a folder of its own, memory on a file of
 * its own), the given profiles, and one token per `tokens` entry: name → profile (or servers).
 */
export function prepareProfileDataDir(profiles: readonly object[], tokens: Record<string, { profile?: string; servers?: string[] }>, extraServers: readonly object[] = []): ProfileTokens {
  const prepared = prepareDataDir({
    prefix: 'switchboard-profile-',
    servers: (dataDir) => {
      const files = join(dataDir, 'files');
      mkdirSync(files, { recursive: true });
      writeFileSync(join(files, 'hello.txt'), 'hello from the profile test\n');
      return [
        { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
        { id: 'memory', transport: 'stdio', command: process.execPath, args: [MEMORY_SERVER], env: { MEMORY_FILE_PATH: join(dataDir, 'memory.jsonl') } },
        { id: 'filesystem', transport: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, files] },
        ...extraServers,
      ];
    },
  });
  return { dataDir: prepared.dataDir, clientToken: prepared.clientToken, tokens: addProfiles(prepared.dataDir, profiles, tokens) };
}

/** Adds profiles and one client token per `tokens` entry (name → profile or servers) to a prepared folder's config.json; the tokens by name. */
export function addProfiles(dataDir: string, profiles: readonly object[], tokens: Record<string, { profile?: string; servers?: string[] }>): Record<string, string> {
  const file = join(dataDir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { tokens: object[]; profiles?: object[] };
  const issued: Record<string, string> = {};
  for (const [name, scope] of Object.entries(tokens)) {
    const token = `sbt_${randomBytes(24).toString('base64url')}`;
    issued[name] = token;
    config.tokens.push({ name, sha256: createHash('sha256').update(token).digest('hex'), createdAt: new Date().toISOString(), ...scope });
  }
  config.profiles = [...(config.profiles ?? []), ...profiles];
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return issued;
}

/** An SDK client on a daemon's `path` (e.g. "/mcp") with a bearer token. */
export async function profileHttpClient(baseUrl: string, path: string, token: string, options?: ClientOptions): Promise<Client> {
  const client = new Client({ name: 'profile-test', version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}${path}`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** An SDK client through `switchboard bridge --profile <name>` spawned as a child process. */
export async function profileBridgeClient(dataDir: string, profile: string, options?: ClientOptions): Promise<Client> {
  const client = new Client({ name: 'profile-bridge-test', version: '1.0.0' }, options);
  await client.connect(new StdioClientTransport({
    command: process.execPath,
    args: [SWITCHBOARD_BIN, 'bridge', '--profile', profile, '--data-dir', dataDir, '--no-start', '--client', 'profile-bridge'],
    env: { ...getDefaultEnvironment(), ...testRunEnvironment() },
    stderr: 'pipe',
  }));
  return client;
}
