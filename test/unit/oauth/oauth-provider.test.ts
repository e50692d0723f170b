// The OAuth pieces around the SDK: the loopback callback (state checked, errors surfaced), the
// keychain-backed provider (state survives a restart, a registration for another redirect port is
// redone), and the headless consent fallback. The full flow runs in the conformance suite.
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackCallbackServer } from '../../../main/oauth/loopback-callback.ts';
import { KeychainOAuthProvider } from '../../../main/oauth/keychain-oauth-provider.ts';
import { createOpenUrl } from '../../../main/oauth/open-url.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { uniqueService } from '../secrets/keychain-helpers.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

async function callbackServer(): Promise<LoopbackCallbackServer> {
  const server = await LoopbackCallbackServer.start();
  cleanups.push(() => server.close());
  return server;
}

describe('LoopbackCallbackServer', () => {
  it('listens on 127.0.0.1 with a random port and delivers the code whose state matches', async () => {
    const server = await callbackServer();
    expect(server.redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    const code = server.waitForCode('s1', 5_000);
    const forged = await fetch(`${server.redirectUrl}?code=evil&state=other`);
    expect(forged.status).toBe(400);
    const real = await fetch(`${server.redirectUrl}?code=good&state=s1`);
    expect(real.status).toBe(200);
    await expect(code).resolves.toBe('good');
    expect((await fetch(server.redirectUrl.replace('/oauth/callback', '/other'))).status).toBe(404);
  });

  it('keeps a code that arrives before anyone waits, and reports a refusal', async () => {
    const server = await callbackServer();
    await fetch(`${server.redirectUrl}?code=early&state=s2`);
    await expect(server.waitForCode('s2', 5_000)).resolves.toBe('early');
    const refused = expect(server.waitForCode('s3', 5_000)).rejects.toThrow(/refused: access_denied: user said no/);
    await fetch(`${server.redirectUrl}?error=access_denied&error_description=user+said+no&state=s3`);
    await refused;
  });
});

describe('KeychainOAuthProvider', () => {
  function provider(store: KeyringSecretStore, redirectUrl: string, opened: URL[] = []): KeychainOAuthProvider {
    return new KeychainOAuthProvider({ serverId: 'remote-1', secrets: store, redirectUrl, openUrl: (url) => { opened.push(url); } });
  }

  it('keeps tokens, registration, verifier and discovery in the keychain across restarts', async () => {
    const store = new KeyringSecretStore({ service: uniqueService() });
    cleanups.push(async () => { for (const n of await store.list()) await store.delete(n); });
    const first = provider(store, 'http://127.0.0.1:5000/oauth/callback');
    await first.saveTokens({ access_token: 'at-1', token_type: 'Bearer', refresh_token: 'rt-1' });
    await first.saveClientInformation({ client_id: 'c-1', redirect_uris: ['http://127.0.0.1:5000/oauth/callback'] } as never);
    await first.saveCodeVerifier('verifier-1');
    expect(await store.list()).toEqual(['oauth.remote-1.client', 'oauth.remote-1.tokens', 'oauth.remote-1.verifier']);

    const restarted = provider(store, 'http://127.0.0.1:5000/oauth/callback');
    expect(await restarted.tokens()).toMatchObject({ access_token: 'at-1', refresh_token: 'rt-1' });
    expect(await restarted.clientInformation()).toMatchObject({ client_id: 'c-1' });
    expect(await restarted.codeVerifier()).toBe('verifier-1');

    // The loopback port changed: the old dynamic registration does not fit the new redirect URI.
    expect(await provider(store, 'http://127.0.0.1:6000/oauth/callback').clientInformation()).toBeUndefined();

    await restarted.invalidateCredentials('all');
    expect(await store.list()).toEqual([]);
    expect(await provider(store, 'http://127.0.0.1:5000/oauth/callback').tokens()).toBeUndefined();
  });

  it('describes a public client on the loopback redirect and opens the consent page through openUrl', async () => {
    const store = new KeyringSecretStore({ service: uniqueService() });
    const opened: URL[] = [];
    const p = provider(store, 'http://127.0.0.1:5000/oauth/callback', opened);
    expect(p.clientMetadata).toMatchObject({ redirect_uris: ['http://127.0.0.1:5000/oauth/callback'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    const state = p.state();
    expect(p.pendingState).toBe(state);
    await p.redirectToAuthorization(new URL('https://as.example/authorize?x=1'));
    expect(opened.map(String)).toEqual(['https://as.example/authorize?x=1']);
  });
});

describe('createOpenUrl', () => {
  it('prints the URL when there is no display', async () => {
    const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    try {
      const lines: string[] = [];
      await createOpenUrl((line) => lines.push(line))(new URL('https://as.example/authorize'));
      if (process.platform === 'linux') expect(lines.join('\n')).toContain('https://as.example/authorize');
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  });
});
