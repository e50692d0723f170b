// The factory the daemon's remote upstream uses: one OAuth client per remote server, with its
// loopback callback server, keychain-backed state, and a fetch that authorizes on demand.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { SecretStore } from '../secrets/secret-store.ts';
import { KeychainOAuthProvider, type KeychainOAuthProviderOptions } from './keychain-oauth-provider.ts';
import { LoopbackCallbackServer } from './loopback-callback.ts';
import { createOAuthFetch } from './oauth-fetch.ts';

/** What the provider needs from the caller (its server id and redirect URL are set here). */
export interface RemoteAuthDeps extends Pick<KeychainOAuthProviderOptions, 'secrets' | 'openUrl' | 'clientId' | 'clientSecret' | 'scopes' | 'clientMetadataUrl' | 'clientName'> {
  /** The remote MCP server's URL (resource indicator and discovery start here). */
  serverUrl: string;
  /** How long to wait for the user's consent (default 5 minutes). */
  consentTimeoutMs?: number;
  fetch?: FetchLike;
}

export interface RemoteAuth {
  readonly provider: KeychainOAuthProvider;
  /** Pass as the SDK transport's `fetch` option (StreamableHTTPClientTransport / SSEClientTransport). */
  readonly fetch: FetchLike;
  readonly redirectUrl: string;
  /** Forgets tokens and registration for this server (the "sign out" action). */
  signOut(): Promise<void>;
  close(): Promise<void>;
}

export async function createRemoteAuthProvider(serverId: string, deps: RemoteAuthDeps): Promise<RemoteAuth> {
  const callback = await LoopbackCallbackServer.start({ preferredPort: await registeredPort(serverId, deps.secrets) });
  const provider = new KeychainOAuthProvider({
    serverId, secrets: deps.secrets, redirectUrl: callback.redirectUrl, openUrl: deps.openUrl,
    ...(deps.clientId ? { clientId: deps.clientId } : {}),
    ...(deps.clientSecret ? { clientSecret: deps.clientSecret } : {}),
    ...(deps.scopes ? { scopes: deps.scopes } : {}),
    ...(deps.clientMetadataUrl ? { clientMetadataUrl: deps.clientMetadataUrl } : {}),
    ...(deps.clientName ? { clientName: deps.clientName } : {}),
  });
  const fetch = createOAuthFetch({
    serverUrl: deps.serverUrl, provider,
    waitForCode: (state) => callback.waitForCode(state, deps.consentTimeoutMs),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  return {
    provider, fetch, redirectUrl: callback.redirectUrl,
    signOut: () => provider.invalidateCredentials('all'),
    close: () => callback.close(),
  };
}

/** The loopback port of the redirect URI this server's client was registered with, if any. */
async function registeredPort(serverId: string, secrets: SecretStore): Promise<number | undefined> {
  const raw = await secrets.get(`oauth.${serverId}.client`);
  if (!raw) return undefined;
  try {
    const uri = (JSON.parse(raw) as { redirect_uris?: string[] }).redirect_uris?.[0];
    const url = uri ? new URL(uri) : undefined;
    return url?.hostname === '127.0.0.1' && url.port ? Number(url.port) : undefined;
  } catch {
    return undefined;
  }
}
