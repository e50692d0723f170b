// Secrets are kept per data folder: two profiles with a secret of the same name each keep their
// own value. Entries of the one shared service of before are copied into a folder's service the
// first time that folder uses the keychain, once. Real Secret Service (gnome-keyring in
// dbus-run-session).
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncEntry } from '@napi-rs/keyring';
import { KeyringSecretStore, keychainServiceFor } from '../../../main/secrets/secret-store.ts';
import { uniqueService } from './keychain-helpers.ts';

const services = new Set<string>();
afterEach(async () => {
  for (const service of services) {
    const store = new KeyringSecretStore({ service });
    for (const name of await store.list()) await store.delete(name);
    await new AsyncEntry(service, '~migrated', { linux: { store: 'secret-service' } }).deleteCredential().catch(() => false);
  }
  services.clear();
});

function profile(base: string, dataDir: string): KeyringSecretStore {
  const store = new KeyringSecretStore({ baseService: base, dataDir });
  services.add(store.service);
  return store;
}

describe('keychain entries per data folder', () => {
  it('keeps a secret of the same name apart in two data folders', async () => {
    const base = uniqueService();
    const work = profile(base, '/home/u/.config/mcp-switchboard-work');
    const personal = profile(base, '/home/u/.config/mcp-switchboard');
    expect(work.service).not.toBe(personal.service);
    await work.set('github-token', 'ghp_work');
    await personal.set('github-token', 'ghp_personal');
    expect(await work.get('github-token')).toBe('ghp_work');
    expect(await personal.get('github-token')).toBe('ghp_personal');
    await work.delete('github-token');
    expect(await work.get('github-token')).toBeNull();
    expect(await personal.get('github-token')).toBe('ghp_personal');
    // The same folder named another way is the same profile.
    expect(profile(base, '/home/u/.config/../.config/mcp-switchboard').service).toBe(personal.service);
  });

  it('copies the shared entries of before into each folder once, and the folders go their own way after', async () => {
    const base = uniqueService();
    const shared = new KeyringSecretStore({ service: base });
    services.add(base);
    await shared.set('github-token', 'ghp_before');
    await shared.set('gateway', 'gw_before');

    const work = profile(base, '/data/work');
    expect(await work.list()).toEqual(['gateway', 'github-token']);
    expect(await work.get('github-token')).toBe('ghp_before');
    await work.set('github-token', 'ghp_work');

    const personal = profile(base, '/data/personal');
    expect(await personal.get('github-token')).toBe('ghp_before');
    expect(await work.get('github-token')).toBe('ghp_work');

    // Once only: a later entry of the shared service (an older version still running) is not copied,
    // and a secret deleted in a folder does not come back from it.
    await shared.set('late', 'x');
    await work.delete('gateway');
    const workAgain = profile(base, '/data/work');
    expect(await workAgain.list()).toEqual(['github-token']);
    // The shared entries stay for profiles that have not started since.
    expect(await shared.get('github-token')).toBe('ghp_before');
  });

  it('takes $SWITCHBOARD_KEYCHAIN_SERVICE as the exact service, with no namespace or migration', () => {
    expect(keychainServiceFor('/data/a', { SWITCHBOARD_KEYCHAIN_SERVICE: 'side-by-side' })).toEqual({ service: 'side-by-side' });
    expect(keychainServiceFor('/data/a', {}).service).toMatch(/^mcp-switchboard:[0-9a-f]{16}$/);
    expect(keychainServiceFor('/data/a', {}).legacyService).toBe('mcp-switchboard');
    expect(keychainServiceFor(undefined, {})).toEqual({ service: 'mcp-switchboard' });
  });
});
