// Real bubblewrap, real servers from npm, through the real daemon (`switchboard serve`) and its
// proxy: what a sandboxed server can reach against the same server unsandboxed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING_SERVER, REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';

const FILESYSTEM_SERVER = path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const REACH_SERVER = path.join(REPO_ROOT, 'test/support/reach-server.ts');
const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
const PLANTED_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nplanted-test-key\n-----END OPENSSH PRIVATE KEY-----\n';

const home = mkdtempSync(path.join(tmpdir(), 'sb-home-'));
const allowed = path.join(home, 'projects', 'allowed');
const idRsa = path.join(home, '.ssh', 'id_rsa');
let daemon: TestDaemon;
let listener: Server;
let listenerPort: number;

const text = (result: unknown) => ((result as { content: Array<{ text?: string }> }).content[0]?.text ?? '');
const call = async (client: Client, name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args });
  return { text: text(result), isError: result.isError === true };
};

beforeAll(async () => {
  mkdirSync(path.dirname(idRsa), { recursive: true, mode: 0o700 });
  writeFileSync(idRsa, PLANTED_KEY, { mode: 0o600 });
  mkdirSync(allowed, { recursive: true });
  writeFileSync(path.join(allowed, 'notes.txt'), 'a file in the allowed folder\n');
  listener = createServer((socket) => socket.end('hello from the loopback listener\n'));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
  const node = process.execPath;
  daemon = await startTestDaemon({
    env: { HOME: home, SWITCHBOARD_TEST_CANARY: 'daemon-only-value' },
    servers: [
      { id: 'fs-boxed', transport: 'stdio', command: node, args: [FILESYSTEM_SERVER, allowed], sandbox: { enabled: true, network: 'none', readOnly: [NODE_MODULES], readWrite: [allowed] } },
      { id: 'fs-plain', transport: 'stdio', command: node, args: [FILESYSTEM_SERVER, allowed] },
      // Unconfined, it gets the default set and what its inheritEnv names from the daemon's environment.
      { id: 'reach-plain', transport: 'stdio', command: node, args: [REACH_SERVER], inheritEnv: ['SWITCHBOARD_TEST_CANARY'] },
      { id: 'reach-boxed', transport: 'stdio', command: node, args: [REACH_SERVER], sandbox: { enabled: true, network: 'none', readOnly: [REPO_ROOT], readWrite: [] } },
      { id: 'reach-net', transport: 'stdio', command: node, args: [REACH_SERVER], sandbox: { enabled: true, network: 'all', readOnly: [REPO_ROOT], readWrite: [] } },
      { id: 'env-boxed', transport: 'stdio', command: node, args: [EVERYTHING_SERVER, 'stdio'], env: { GREETING: 'configured-value' }, sandbox: { enabled: true, network: 'none', readOnly: [NODE_MODULES], readWrite: [] } },
    ],
  });
});

afterAll(async () => {
  await daemon?.stop();
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
  rmSync(home, { recursive: true, force: true });
});

describe('sandboxed servers through the proxy (real bwrap)', () => {
  it('server-filesystem allowed one folder: the folder\'s file reads fine, ~/.ssh/id_rsa fails with the server\'s own error', async () => {
    const client = await daemon.httpClient('fs-boxed');
    const inside = await call(client, 'read_text_file', { path: path.join(allowed, 'notes.txt') });
    expect(inside).toEqual({ text: 'a file in the allowed folder\n', isError: false });
    const key = await call(client, 'read_text_file', { path: idRsa });
    expect(key.isError).toBe(true);
    expect(key.text).toContain('Access denied');
    expect(key.text).not.toContain('planted-test-key');
  });

  it('unsandboxed, the planted key is reachable to a server that tries; sandboxed, the same server cannot see it', async () => {
    const plain = await daemon.bridgeClient('reach-plain');
    expect(await call(plain, 'read_path', { path: idRsa })).toEqual({ text: PLANTED_KEY, isError: false });
    const boxed = await daemon.bridgeClient('reach-boxed');
    const refused = await call(boxed, 'read_path', { path: idRsa });
    expect(refused).toEqual({ text: `cannot read ${idRsa}: ENOENT`, isError: true });
    // Nothing else of the home folder either, while the server's own package is readable.
    expect((await call(boxed, 'read_path', { path: path.join(allowed, 'notes.txt') })).isError).toBe(true);
    expect((await call(boxed, 'read_path', { path: REACH_SERVER })).isError).toBe(false);
  });

  it('a server connecting to a loopback listener fails under network none and succeeds under all', async () => {
    const plain = await daemon.httpClient('reach-plain');
    expect(await call(plain, 'connect', { port: listenerPort })).toEqual({ text: 'connected: hello from the loopback listener', isError: false });
    const none = await daemon.httpClient('reach-boxed');
    const refused = await call(none, 'connect', { port: listenerPort });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/^cannot connect: (ECONNREFUSED|ENETUNREACH)/);
    const all = await daemon.httpClient('reach-net');
    expect(await call(all, 'connect', { port: listenerPort })).toEqual({ text: 'connected: hello from the loopback listener', isError: false });
  });

  it('server-everything\'s get-env shows only the configured environment (plus PATH, HOME, TMPDIR, locale, and PWD that bwrap sets)', async () => {
    const client = await daemon.httpClient('env-boxed');
    const env = JSON.parse((await call(client, 'get-env', {})).text) as Record<string, string>;
    expect(env.GREETING).toBe('configured-value');
    expect(env.SWITCHBOARD_TEST_CANARY).toBeUndefined();
    expect(env.HOME).toBe(home);
    expect(env.TMPDIR).toBe('/tmp');
    expect(Object.keys(env).filter((k) => !['GREETING', 'PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'PWD'].includes(k))).toEqual([]);
  });

  it('the unsandboxed server sees what its inheritEnv names from the daemon\'s environment (what the sandbox takes away)', async () => {
    const client = await daemon.httpClient('fs-plain');
    // server-filesystem has no get-env; reach-plain shows its environment via /proc.
    const reach = await daemon.httpClient('reach-plain');
    const environ = await call(reach, 'read_path', { path: '/proc/self/environ' });
    expect(environ.text).toContain('SWITCHBOARD_TEST_CANARY=daemon-only-value');
    expect((await call(client, 'read_text_file', { path: path.join(allowed, 'notes.txt') })).isError).toBe(false);
  });
});
