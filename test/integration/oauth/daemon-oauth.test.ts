// OAuth through the product: a real `switchboard serve` with a remote server that has `oauth`
// enabled (test/integration/oauth/oauth-test-server.ts: discovery, registration, PKCE, resource
// indicators, refresh). Headless, the daemon prints the consent URL; the test plays the browser.
// Tokens land in the OS keychain (a per-test service through $SWITCHBOARD_KEYCHAIN_SERVICE), never
// in the data folder or the log; a second daemon uses them without consent and refreshes them.
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { filesContaining, uniqueService } from '../../unit/secrets/keychain-helpers.ts';
import { startOAuthTestServer } from './oauth-test-server.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

const CONSENT_LINE = /server 'protected' needs authorization\. Open this URL in a browser to authorize MCP Switchboard:\s+(\S+)/;

async function whoami(client: Client): Promise<string> {
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  return (result.content as Array<{ text: string }>)[0]!.text;
}

describe('a remote server with OAuth, through the daemon', () => {
  it('asks for consent once (URL printed headless), keeps tokens in the keychain only, reuses and refreshes them', async () => {
    const as = await startOAuthTestServer();
    cleanups.push(() => as.close());
    const service = uniqueService();
    const secrets = new KeyringSecretStore({ service });
    cleanups.push(async () => { for (const name of await secrets.list()) await secrets.delete(name); });
    // No desktop: the daemon prints the consent URL instead of opening a browser.
    const env = { SWITCHBOARD_KEYCHAIN_SERVICE: service, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const servers = [{ id: 'protected', transport: 'streamable-http' as const, url: as.mcpUrl, oauth: { enabled: true } }];

    const first: TestDaemon = await startTestDaemon({ env, servers });
    cleanups.push(() => first.stop());
    // The daemon's probe meets the 401 and starts the authorization.
    await expect.poll(() => CONSENT_LINE.test(first.logs()), { timeout: 20_000, interval: 50 }).toBe(true);
    const consentUrl = new URL(CONSENT_LINE.exec(first.logs())![1]!);
    expect(consentUrl.origin).toBe(as.origin);
    expect(consentUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consentUrl.searchParams.get('resource')).toBe(as.mcpUrl);
    expect(consentUrl.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    // The "browser": the user approves; the server redirects to the daemon's loopback callback.
    const callback = await fetch(consentUrl);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('Authorization received');

    expect(await whoami(await first.httpClient('protected'))).toBe('authorized');
    expect(await whoami(await first.bridgeClient('protected'))).toBe('authorized');
    expect(as.grants).toEqual(['authorization_code']);
    expect(new Set(as.resources)).toEqual(new Set([as.mcpUrl]));
    expect(await secrets.list()).toEqual(expect.arrayContaining(['oauth.protected.client', 'oauth.protected.tokens']));
    const tokens = JSON.parse((await secrets.get('oauth.protected.tokens'))!) as { access_token: string; refresh_token: string };

    process.kill(first.pid, 'SIGTERM');
    await expect.poll(() => first.alive(), { timeout: 15_000, interval: 50 }).toBe(false);
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      expect(filesContaining(first.dataDir, token)).toEqual([]);
      expect(first.logs()).not.toContain(token);
    }

    // Another daemon finds the tokens in the keychain: no consent; an expired access token is refreshed.
    const second = await startTestDaemon({ env, servers });
    cleanups.push(() => second.stop());
    const client = await second.httpClient('protected');
    expect(await whoami(client)).toBe('authorized');
    as.expireAccessTokens();
    expect(await whoami(client)).toBe('authorized');
    expect(as.grants).toEqual(['authorization_code', 'refresh_token']);
    expect(second.logs()).not.toMatch(/needs authorization/);
  }, 90_000);
});
