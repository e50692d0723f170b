// `switchboard secret set|list|delete` through the commander registration, against the real
// Secret Service; the value never lands in a file under the data folder.
import { afterEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { registerSecretCommands } from '../../../main/cli/secrets.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { filesContaining, uniqueService } from './keychain-helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-secrets-'));
  writeFileSync(join(dataDir, 'config.json'), '{"version":1}\n');
  const store = new KeyringSecretStore({ service: uniqueService() });
  cleanups.push(async () => { for (const n of await store.list()) await store.delete(n); rmSync(dataDir, { recursive: true, force: true }); });
  const run = async (argv: string[], stdinText = ''): Promise<{ out: string; err: string }> => {
    const stdout = new PassThrough(); const stderr = new PassThrough();
    let out = ''; let err = '';
    stdout.on('data', (c) => { out += String(c); }); stderr.on('data', (c) => { err += String(c); });
    const program = new Command().exitOverride();
    registerSecretCommands(program, { dataDir, secretStore: store, stdin: Readable.from([stdinText]), stdout, stderr });
    await program.parseAsync(['node', 'switchboard', ...argv]);
    return { out, err };
  };
  return { dataDir, store, run };
}

describe('switchboard secret', () => {
  it('set reads the value from stdin, list shows names only, delete removes it', async () => {
    const { dataDir, store, run } = setup();
    const value = 'ghp_cliSecretValue0123456789abcdefXYZ';
    expect((await run(['secret', 'set', 'github-token'], `${value}\n`)).out).toContain('stored secret "github-token"');
    expect(await store.get('github-token')).toBe(value);
    const listed = await run(['secret', 'list']);
    expect(listed.out).toBe('github-token\n');
    expect(listed.out).not.toContain(value);
    expect(JSON.parse((await run(['secret', 'list', '--json'])).out)).toEqual(['github-token']);
    expect(filesContaining(dataDir, value)).toEqual([]);
    expect((await run(['secret', 'delete', 'github-token'])).out).toContain('deleted secret "github-token"');
    expect(await store.get('github-token')).toBeNull();
    expect((await run(['secret', 'list'])).out).toBe('');
  });

  it('takes a value from argv only with --value, and warns', async () => {
    const { store, run } = setup();
    const result = await run(['secret', 'set', 'k', '--value', 'argv-value']);
    expect(result.err).toMatch(/warning: a value given with --value is visible/);
    expect(await store.get('k')).toBe('argv-value');
  });

  it('refuses an empty value and an invalid name', async () => {
    const { store, run } = setup();
    await expect(run(['secret', 'set', 'empty'], '')).rejects.toThrow(/no value given/);
    await expect(run(['secret', 'set', '../bad'], 'x')).rejects.toThrow(/invalid secret name/);
    expect(await store.list()).toEqual([]);
  });
});
