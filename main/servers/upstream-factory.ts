// Builds the upstream connection for one configured server: a child process for stdio servers,
// the SDK's Streamable HTTP or SSE client transport for remote ones (main/oauth/connect-remote.ts),
// with the OAuth fetch (main/oauth/remote-auth.ts) when the server has `oauth` enabled. `{secret}`
// values in env and headers are resolved here, at connect time, and never stored.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RemoteServerConfig, ServerConfig } from '../../shared/config.ts';
import { createRemoteTransport } from '../oauth/connect-remote.ts';
import type { RemoteAuth } from '../oauth/remote-auth.ts';
import type { UpstreamTransport } from '../relay/upstream-transport.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { resolveValueMap } from '../secrets/resolve-secrets.ts';
import { serverSandbox } from '../sandbox/server-sandbox.ts';
import { ChildProcessTransport, type ResolveSecret } from './child-process-transport.ts';

/** What OAuth for remote servers needs: where tokens live and how the consent page is shown. */
export interface RemoteOAuthDeps {
  /** Tokens, client registration and PKCE state are kept here (the OS keychain). */
  secrets: SecretStore;
  /** Opens the consent page (headless: prints it). Called with the server id. */
  openUrl: (url: URL, serverId: string) => Promise<void> | void;
  /** An https URL serving the app's OAuth client ID metadata document, when there is one. */
  clientMetadataUrl?: string;
  /** How long a connection waits for the user's consent (default 5 minutes). */
  consentTimeoutMs?: number;
}

export interface UpstreamFactoryOptions {
  resolveSecret: ResolveSecret;
  maxMessageBytes?: number;
  /** For remote servers with `oauth` enabled. Default: the OS keychain, and the browser (or the URL printed on stderr). */
  oauth?: RemoteOAuthDeps;
  /** Wraps the fetch of a remote server's connection (adds trace context and end-user headers). */
  remoteFetch?: (server: RemoteServerConfig, inner: FetchLike) => FetchLike;
}

/** The keychain entry holding the client secret of a pre-registered OAuth client (`oauth.clientId` in config). */
export function oauthClientSecretName(serverId: string): string {
  return `oauth.${serverId}.client-secret`;
}

/** Env vars and headers with their `{secret}` references resolved (main/secrets/resolve-secrets.ts). */
export const resolveValues = resolveValueMap;

export async function createUpstreamTransport(server: ServerConfig, options: UpstreamFactoryOptions): Promise<UpstreamTransport> {
  if (server.transport === 'stdio') {
    const sandbox = serverSandbox(server);
    return new ChildProcessTransport({
      ...(sandbox ? { sandbox } : {}),
      command: server.command,
      args: server.args,
      env: await resolveValues(server.env, options.resolveSecret, `server '${server.id}' env`),
      ...(server.inheritEnv ? { inheritEnv: server.inheritEnv } : {}),
      ...(server.cwd ? { cwd: server.cwd } : {}),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    });
  }
  const headers = await resolveValues(server.headers, options.resolveSecret, `server '${server.id}' header`);
  const auth = server.oauth?.enabled ? await remoteAuthFor(server, options.oauth ?? await defaultOAuthDeps()) : undefined;
  const baseFetch: FetchLike | undefined = auth ? auth.fetch : undefined;
  const fetch = options.remoteFetch ? options.remoteFetch(server, baseFetch ?? globalThis.fetch) : baseFetch;
  const transport = createRemoteTransport({ url: server.url, transport: server.transport, headers, ...(fetch ? { fetch } : {}) });
  const origin = new URL(server.url).origin;
  return Object.assign(transport, {
    failure: () => ({ summary: `closed its connection (${origin})`, stderrTail: [] }),
  }) as UpstreamTransport;
}

// One RemoteAuth per server, shared by the probe and every client session: they share its
// loopback callback and its in-flight authorization, so a server needing consent opens the
// browser once, not once per connection.
const remoteAuths = new Map<string, { key: string; deps: RemoteOAuthDeps; auth: Promise<RemoteAuth> }>();

function remoteAuthFor(server: RemoteServerConfig, deps: RemoteOAuthDeps): Promise<RemoteAuth> {
  const key = JSON.stringify([server.url, server.oauth?.clientId ?? null, server.oauth?.scopes ?? null]);
  const cached = remoteAuths.get(server.id);
  if (cached && cached.key === key && cached.deps === deps) return cached.auth;
  if (cached) void cached.auth.then((old) => old.close(), () => undefined);
  const auth = (async () => {
    const { createRemoteAuthProvider } = await import('../oauth/remote-auth.ts');
    const clientId = server.oauth?.clientId;
    const clientSecret = clientId ? await deps.secrets.get(oauthClientSecretName(server.id)) : null;
    return createRemoteAuthProvider(server.id, {
      secrets: deps.secrets,
      serverUrl: server.url,
      openUrl: (url) => deps.openUrl(url, server.id),
      ...(clientId ? { clientId } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      ...(server.oauth?.scopes?.length ? { scopes: server.oauth.scopes } : {}),
      ...(deps.clientMetadataUrl ? { clientMetadataUrl: deps.clientMetadataUrl } : {}),
      ...(deps.consentTimeoutMs ? { consentTimeoutMs: deps.consentTimeoutMs } : {}),
    });
  })();
  remoteAuths.set(server.id, { key, deps, auth });
  // A failed setup (keychain locked) is not cached: the next connection tries again.
  auth.catch(() => {
    if (remoteAuths.get(server.id)?.auth === auth) remoteAuths.delete(server.id);
  });
  return auth;
}

/** Closes the OAuth callback listeners of every remote server (daemon shutdown, tests). */
export async function closeRemoteAuths(): Promise<void> {
  const all = [...remoteAuths.values()];
  remoteAuths.clear();
  await Promise.allSettled(all.map(async (entry) => (await entry.auth).close()));
}

let defaultDeps: Promise<RemoteOAuthDeps> | undefined;

/** The OS keychain ($SWITCHBOARD_KEYCHAIN_SERVICE or 'mcp-switchboard') and the browser, loaded only when a server uses OAuth. */
function defaultOAuthDeps(): Promise<RemoteOAuthDeps> {
  defaultDeps ??= (async () => {
    const { KeyringSecretStore } = await import('../secrets/secret-store.ts');
    const { createOpenUrl } = await import('../oauth/open-url.ts');
    return {
      secrets: new KeyringSecretStore(),
      openUrl: (url, serverId) => createOpenUrl((line) => process.stderr.write(`server '${serverId}' needs authorization. ${line}\n`))(url),
    };
  })();
  return defaultDeps;
}
