import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  it('refuses secrets in --env and --header, naming the flag and the keychain way, and writes nothing', async () => {
    const { dataDir } = await run(['server', 'list']);
    await expect(run(['server', 'add', 'h', '--url', 'http://127.0.0.1:9/mcp', '--header', 'Authorization=Bearer sk-plaintextsecret12345']))
      .rejects.toThrow(/--header Authorization=… looks like a secret.*`switchboard secret set h\.header\.Authorization`.*`--header-secret Authorization=h\.header\.Authorization`/);
    await expect(run(['server', 'add', 's', '--env', 'GITHUB_TOKEN=ghp_plaintextsecret0123456789abcdef', '--', 'node', 'x']))
      .rejects.toThrow(/--env GITHUB_TOKEN=… looks like a secret.*`switchboard secret set s\.env\.GITHUB_TOKEN`.*`--env-secret GITHUB_TOKEN=s\.env\.GITHUB_TOKEN`/);
    // A token-looking value under an innocent name is refused too; the message never repeats the value.
    const error = await run(['server', 'add', 's', '--env', 'OPTS=sk-abcdef0123456789', '--', 'node', 'x']).catch((e: Error) => e);
    expect(String(error)).toMatch(/--env OPTS=…/);
    expect(String(error)).not.toContain('sk-abcdef0123456789');
    expect(existsSync(join(dataDir, 'config.json'))).toBe(false);
    // Ordinary values and placeholders still go in as they are.
    // So do settings whose names only sound like secrets.
    await run(['server', 'add', 'ok', '--env', 'MODE=ro', '--env', 'HOME_DIR=${HOME}', '--env', 'MAX_TOKENS=4096', '--env', 'AUTH_MODE=none', '--', 'node', 'x']);
    expect(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).servers[0].env).toEqual({ MODE: 'ro', HOME_DIR: '${HOME}', MAX_TOKENS: '4096', AUTH_MODE: 'none' });
  });

  it('names --timeout and what it expects', async () => {
    await expect(run(['server', 'add', 'x', '--timeout', 'abc', '--', 'node'])).rejects.toThrow(/^--timeout expects the request timeout in milliseconds, a whole number greater than 0 .*got "abc"$/);
    await expect(run(['server', 'add', 'x', '--timeout', '0', '--', 'node'])).rejects.toThrow(/--timeout expects/);
    await expect(run(['server', 'add', 'x', '--timeout', '15s', '--', 'node'])).rejects.toThrow(/--timeout expects/);
    const { dataDir } = await run(['server', 'add', 'x', '--timeout', '30000', '--', 'node']);
    expect(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).servers[0].requestTimeoutMs).toBe(30_000);
  });

  it('says which command removes an existing server', async () => {
    await run(['server', 'add', 'memory', '--', 'node', 'x']);
    await expect(run(['server', 'add', 'memory', '--', 'node', 'x'])).rejects.toThrow("a server with id 'memory' already exists; remove it first with `switchboard server remove memory`");
  });

  it('refuses an empty client name and a second token of the same name', async () => {
    await expect(run(['token', 'create', ''])).rejects.toThrow(/^the client name must not be empty: `switchboard token create <client-name>`/);
    await expect(run(['token', 'create', '  '])).rejects.toThrow(/the client name must not be empty/);
    const { stdout, dataDir } = await run(['token', 'create', 'qa']);
    await expect(run(['token', 'create', 'qa'])).rejects.toThrow(/a token for 'qa' already exists \(created .*\); to replace it, revoke it first with `switchboard token revoke qa`/);
    const tokens = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).tokens;
    expect(tokens).toEqual([expect.objectContaining({ name: 'qa', sha256: sha256Hex(stdout.trim()) })]);
  });

  it('lists tokens by name and creation time, never their values, and revokes them', async () => {
    expect((await run(['token', 'list'])).stdout).toMatch(/^no tokens; create one with/);
    const cursor = (await run(['token', 'create', 'cursor'])).stdout.trim();
    const vscode = (await run(['token', 'create', 'vscode'])).stdout.trim();
    const listed = await run(['token', 'list']);
    expect(listed.stdout).toMatch(/^cursor\t\d{4}-\d\d-\d\dT[^\n]+Z\nvscode\t\d{4}-[^\n]+Z\n$/);
    const json = JSON.parse((await run(['token', 'list', '--json'])).stdout) as Array<Record<string, string>>;
    expect(json.map((t) => Object.keys(t).sort())).toEqual([['createdAt', 'name'], ['createdAt', 'name']]);
    expect(json.map((t) => t.name)).toEqual(['cursor', 'vscode']);
    for (const output of [listed.stdout, JSON.stringify(json)]) {
      expect(output).not.toContain(cursor);
      expect(output).not.toContain(sha256Hex(cursor));
    }

    expect((await run(['token', 'revoke', 'cursor'])).stdout).toBe("revoked the token of 'cursor'\n");
    const config = JSON.parse(readFileSync(join(listed.dataDir, 'config.json'), 'utf8'));
    expect(config.tokens).toEqual([expect.objectContaining({ name: 'vscode', sha256: sha256Hex(vscode) })]);
    await expect(run(['token', 'revoke', 'cursor'])).rejects.toThrow("no token for 'cursor'; see `switchboard token list`");
    await expect(run(['token', 'revoke', ''])).rejects.toThrow(/the client name must not be empty: `switchboard token revoke/);
    // A name revoked can be given a new token.
    expect((await run(['token', 'create', 'cursor'])).stdout.trim()).not.toBe(cursor);
  });

  it('server list escapes control characters in what it prints', async () => {
    await run(['server', 'add', 'x', '--', 'node', 'a\u001b[31mred\nsecond line']);
    const list = (await run(['server', 'list'])).stdout;
    expect(list).toBe('x\tnode a\\x1b[31mred\\nsecond line\n');
  });
});
