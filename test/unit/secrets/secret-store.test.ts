// Runs against the real Secret Service (gnome-keyring in dbus-run-session). Without a reachable
// keychain these tests fail with KeychainUnavailableError; they never skip.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { KeyringSecretStore, KeychainUnavailableError, InvalidSecretNameError } from '../../../main/secrets/secret-store.ts';
import { createSecretResolver, resolveValueMap, SecretNotFoundError } from '../../../main/secrets/resolve-secrets.ts';
import { uniqueService } from './keychain-helpers.ts';

const stores: KeyringSecretStore[] = [];
function newStore(): KeyringSecretStore {
  const store = new KeyringSecretStore({ service: uniqueService() });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) for (const name of await store.list()) await store.delete(name);
});

describe('KeyringSecretStore (real Secret Service)', () => {
  it('sets, gets, lists names and deletes', async () => {
    const store = newStore();
    await store.set('github-token', 'ghp_example_value_1');
    await store.set('api.key', 'second value');
    expect(await store.get('github-token')).toBe('ghp_example_value_1');
    expect(await store.list()).toEqual(['api.key', 'github-token']);
    expect(await store.delete('github-token')).toBe(true);
    expect(await store.get('github-token')).toBeNull();
    expect(await store.list()).toEqual(['api.key']);
    expect(await store.delete('github-token')).toBe(false);
  });

  it('overwrites a value without duplicating its name', async () => {
    const store = newStore();
    await store.set('token', 'one');
    await store.set('token', 'two');
    expect(await store.get('token')).toBe('two');
    expect(await store.list()).toEqual(['token']);
  });

  it('keeps concurrent sets in the index', async () => {
    const store = newStore();
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => store.set(n, `value-${n}`)));
    expect(await store.list()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rejects names that could clash with the index or carry paths', async () => {
    const store = newStore();
    await expect(store.set('~index', 'x')).rejects.toBeInstanceOf(InvalidSecretNameError);
    await expect(store.get('../etc')).rejects.toBeInstanceOf(InvalidSecretNameError);
  });

  it('resolves references only through the resolver, naming the missing secret and its user', async () => {
    const store = newStore();
    await store.set('gh', 'ghp_resolved');
    const resolve = createSecretResolver(store);
    expect(await resolveValueMap({ PLAIN: 'x', GITHUB_TOKEN: { secret: 'gh' } }, resolve, "server 'github' env")).toEqual({ PLAIN: 'x', GITHUB_TOKEN: 'ghp_resolved' });
    await expect(resolveValueMap({ T: { secret: 'missing' } }, resolve, 'github')).rejects.toThrow(SecretNotFoundError);
    await expect(resolveValueMap({ T: { secret: 'missing' } }, resolve, 'github')).rejects.toThrow(/secret "missing" \(used by github, T\).*switchboard secret set missing/);
  });

  it('says clearly when no keychain is reachable', () => {
    // A child process whose D-Bus session address points nowhere: no Secret Service.
    const script = `
      import { KeyringSecretStore } from ${JSON.stringify(new URL('../../../main/secrets/secret-store.ts', import.meta.url).href)};
      try { await new KeyringSecretStore({ service: 'mcp-switchboard-unreachable' }).get('x'); console.log('NO ERROR'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/switchboard-bus' },
      encoding: 'utf8',
    });
    expect(output).toMatch(/^KeychainUnavailableError: no OS keychain available: on Linux start a Secret Service such as gnome-keyring \(dbus\)/);
    expect(KeychainUnavailableError.name).toBe('KeychainUnavailableError');
  });
});
