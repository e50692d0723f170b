// A fetch wrapper for one remote MCP server: sends the stored access token, and on 401 (or 403
// insufficient_scope) runs the SDK's auth flow — discovery, registration, PKCE, resource
// indicator, refresh — waits for the browser's redirect when consent is needed, and retries the
// request once. A server that keeps refusing gets a clear error instead of a loop.
import { auth, extractWWWAuthenticateParams, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { KeychainOAuthProvider } from './keychain-oauth-provider.ts';

export interface OAuthFetchOptions {
  serverUrl: string | URL;
  provider: KeychainOAuthProvider;
  /** Waits for the authorization code after the consent page was opened. */
  waitForCode: (state: string | undefined) => Promise<string>;
  /** The fetch that reaches the network (default: global fetch). */
  fetch?: FetchLike;
  /** Auth attempts per request before giving up (default 2: one refresh or consent, one step-up). */
  maxAttempts?: number;
}

export function createOAuthFetch(options: OAuthFetchOptions): FetchLike {
  const next: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const { provider } = options;
  const maxAttempts = options.maxAttempts ?? 2;
  // One authorization at a time: concurrent 401s (e.g. GET stream + POST) share it.
  let running: Promise<void> | undefined;

  const authorize = (resourceMetadataUrl: URL | undefined, scope: string | undefined): Promise<void> => {
    running ??= (async () => {
      try {
        let result = await auth(provider, { serverUrl: options.serverUrl, resourceMetadataUrl, scope, fetchFn: next });
        if (result === 'REDIRECT') {
          const code = await options.waitForCode(provider.pendingState);
          result = await auth(provider, { serverUrl: options.serverUrl, resourceMetadataUrl, scope, authorizationCode: code, fetchFn: next });
        }
        if (result !== 'AUTHORIZED') throw new UnauthorizedError(`authorization with ${String(options.serverUrl)} did not complete`);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  return async (input, init) => {
    const send = async (): Promise<Response> => {
      const headers = new Headers(init?.headers);
      const tokens = await provider.tokens();
      if (tokens?.access_token) headers.set('Authorization', `Bearer ${tokens.access_token}`);
      return next(input, { ...init, headers });
    };
    let response = await send();
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const params = response.status === 401 || response.status === 403 ? extractWWWAuthenticateParams(response) : undefined;
      const stepUp = response.status === 403 && params?.error === 'insufficient_scope';
      if (response.status !== 401 && !stepUp) return response;
      await response.body?.cancel().catch(() => undefined);
      // A wider scope needs new consent; a refresh would only return the same scope again.
      if (stepUp) await provider.invalidateCredentials('tokens');
      await authorize(params?.resourceMetadataUrl, params?.scope);
      response = await send();
    }
    if (response.status === 401) throw new UnauthorizedError(`${String(options.serverUrl)} still refuses the credentials after authorization`);
    return response;
  };
}
