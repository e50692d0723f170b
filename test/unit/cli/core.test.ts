import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../main/cli.ts';
import { dataDirFlag } from '../../../main/cli/context.ts';
import { sha256Hex } from '../../../main/endpoints/http-guard.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ stdout: string; stderr: string; dataDir: string }> {
  const dataDir = dirs[0] ?? mkdtempSync(join(tmpdir(), 'sb-cli-'));
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const program = buildProgram({ dataDir, stdin: new PassThrough(), stdout, stderr });
  await program.parseAsync(['node', 'switchboard', ...args]);
  return { stdout: out, stderr: err, dataDir };
}

describe('switchboard CLI (no daemon)', () => {
  it('finds --data-dir before parsing, ignoring what follows --', () => {
    expect(dataDirFlag(['server', 'list', '--data-dir', '/a'])).toBe('/a');
    expect(dataDirFlag(['--data-dir=/b', 'status'])).toBe('/b');
    expect(dataDirFlag(['server', 'add', 'x', '--', 'cmd', '--data-dir', '/c'])).toBeUndefined();
  });

  it('adds stdio and remote servers to config.json with their options', async () => {
    await run(['server', 'add', 'files', '--env', 'A=1', '--cwd', '/tmp', '--', 'npx', '-y', 'pkg', '--flag']);
    const { dataDir } = await run(['server', 'add', 'remote', '--url', 'https://example.test/mcp', '--header', 'X-Team=core', '--sse']);
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    expect(config.servers).toEqual([
      expect.objectContaining({ id: 'files', transport: 'stdio', command: 'npx', args: ['-y', 'pkg', '--flag'], env: { A: '1' }, cwd: '/tmp' }),
      expect.objectContaining({ id: 'remote', transport: 'sse', url: 'https://example.test/mcp', headers: { 'X-Team': 'core' } }),
    ]);
    const listed = await run(['server', 'list', '--json']);
    expect(JSON.parse(listed.stdout).map((s: { id: string }) => s.id)).toEqual(['files', 'remote']);
    await run(['server', 'remove', 'files']);
    expect(JSON.parse((await run(['server', 'list', '--json'])).stdout).map((s: { id: string }) => s.id)).toEqual(['remote']);
  });

  it('turns on OAuth for a remote server, with a client id and scopes, and refuses it for stdio', async () => {
    const { dataDir } = await run(['server', 'add', 'saas', '--url', 'https://saas.example/mcp', '--oauth', '--oauth-client-id', 'cid', '--oauth-scope', 'read', '--oauth-scope', 'write']);
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    expect(config.servers[0].oauth).toEqual({ enabled: true, clientId: 'cid', scopes: ['read', 'write'] });
    await expect(run(['server', 'add', 'local', '--oauth', '--', 'node', 'server.js'])).rejects.toThrow(/--oauth apply to remote servers/);
  });

  it('stores secret references, never values, for --env-secret and --header-secret', async () => {
    await run(['server', 'add', 'gh', '--env-secret', 'GITHUB_TOKEN=github-token', '--env', 'MODE=ro', '--', 'npx', 'server-github']);
    const { dataDir } = await run(['server', 'add', 'api', '--url', 'https://api.example/mcp', '--header-secret', 'Authorization=api-auth']);
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    expect(config.servers[0].env).toEqual({ MODE: 'ro', GITHUB_TOKEN: { secret: 'github-token' } });
    expect(config.servers[1].headers).toEqual({ Authorization: { secret: 'api-auth' } });
    await expect(run(['server', 'add', 'x', '--header-secret', 'A=b', '--', 'node'])).rejects.toThrow(/--header-secret/);
  });

  it('refuses a bad server id, a missing command and an unknown server with clear errors', async () => {
    await expect(run(['server', 'add', 'bad/id', '--', 'x'])).rejects.toThrow(/server ids are/);
    await expect(run(['server', 'add', 'nocmd'])).rejects.toThrow(/give the server command after --/);
    await expect(run(['server', 'remove', 'ghost'])).rejects.toThrow(/unknown server 'ghost'/);
  });

  it('prints a token once and stores only its SHA-256', async () => {
    const { stdout, dataDir } = await run(['token', 'create', 'cursor']);
    const token = stdout.trim();
    expect(token).toMatch(/^sbt_[A-Za-z0-9_-]{40,}$/);
    const raw = readFileSync(join(dataDir, 'config.json'), 'utf8');
    expect(raw).not.toContain(token);
    expect(JSON.parse(raw).tokens).toEqual([expect.objectContaining({ name: 'cursor', sha256: sha256Hex(token) })]);
  });
});
