// The app's OAuth client against a real (small) authorization server: discovery, registration,
// PKCE and resource indicator on first use with one consent in the "browser"; after a restart the
// tokens come from the keychain (no consent); an expired access token is refreshed without the user.
import { afterEach, describe, expect, it } from 'vitest';
import { connectRemote } from '../../../main/oauth/connect-remote.ts';
import { createRemoteAuthProvider } from '../../../main/oauth/remote-auth.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { uniqueService } from '../../unit/secrets/keychain-helpers.ts';
import { startOAuthTestServer } from './oauth-test-server.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

describe('OAuth for a remote server', () => {
  it('authorizes once in the browser, keeps tokens in the keychain, refreshes silently', async () => {
    const as = await startOAuthTestServer();
    cleanups.push(() => as.close());
    const secrets = new KeyringSecretStore({ service: uniqueService() });
    cleanups.push(async () => { for (const n of await secrets.list()) await secrets.delete(n); });
    const consents: URL[] = [];
    // The "browser": the user approves; the authorization server redirects to the app's loopback callback.
    const openUrl = async (url: URL): Promise<void> => {
      consents.push(url);
      await fetch(url).then((r) => r.body?.cancel());
    };
    const session = async () => {
      const auth = await createRemoteAuthProvider('protected', { secrets, serverUrl: as.mcpUrl, openUrl, consentTimeoutMs: 10_000 });
      cleanups.push(() => auth.close());
      const client = await connectRemote({ url: as.mcpUrl, transport: 'streamable-http', fetch: auth.fetch });
      cleanups.push(() => client.close());
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      return { auth, client, text: (result.content as Array<{ text: string }>)[0]!.text };
    };

    const first = await session();
    expect(first.text).toBe('authorized');
    expect(consents).toHaveLength(1);
    expect(consents[0]!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consents[0]!.searchParams.get('resource')).toBe(as.mcpUrl);
    expect(consents[0]!.searchParams.get('redirect_uri')).toBe(first.auth.redirectUrl);
    expect(as.grants).toEqual(['authorization_code']);
    expect(new Set(as.resources)).toEqual(new Set([as.mcpUrl]));
    expect(await secrets.list()).toEqual(expect.arrayContaining(['oauth.protected.client', 'oauth.protected.tokens']));

    // A restart: a new provider finds registration and tokens in the keychain and listens on the
    // registered loopback port again; no consent.
    await first.auth.close();
    const second = await session();
    expect(second.text).toBe('authorized');
    expect(second.auth.redirectUrl).toBe(first.auth.redirectUrl);
    expect(consents).toHaveLength(1);

    // The access token expires: the next call refreshes it without the user.
    as.expireAccessTokens();
    const again = await second.client.callTool({ name: 'whoami', arguments: {} });
    expect((again.content as Array<{ text: string }>)[0]!.text).toBe('authorized');
    expect(as.grants).toEqual(['authorization_code', 'refresh_token']);
    expect(consents).toHaveLength(1);

    // Sign out forgets everything kept for this server.
    await second.auth.signOut();
    expect((await secrets.list()).filter((n) => n.startsWith('oauth.protected.'))).toEqual([]);
  }, 60_000);
});
