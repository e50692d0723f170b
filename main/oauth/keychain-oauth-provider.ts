// The SDK's OAuthClientProvider for one remote server: client registration, tokens, PKCE verifier
// and discovery state are kept in the OS keychain (through SecretStore) under oauth.<serverId>.*;
// consent happens in the browser (injected openUrl) and comes back to the loopback callback.
import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { SecretStore } from '../secrets/secret-store.ts';

export interface KeychainOAuthProviderOptions {
  serverId: string;
  secrets: SecretStore;
  /** The loopback redirect URL (LoopbackCallbackServer.redirectUrl). */
  redirectUrl: string;
  /** Opens the consent page; headless: print it. */
  openUrl: (url: URL) => Promise<void> | void;
  /** Pre-registered client (when the authorization server does not offer registration). */
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
  /** An https URL serving this app's client ID metadata document (used when the server supports it). */
  clientMetadataUrl?: string;
  clientName?: string;
}

type Slot = 'tokens' | 'client' | 'verifier' | 'discovery' | 'state';

export class KeychainOAuthProvider implements OAuthClientProvider {
  private readonly options: KeychainOAuthProviderOptions;
  private readonly cache = new Map<Slot, unknown>();
  private lastState: string | undefined;
  readonly clientMetadataUrl?: string;

  constructor(options: KeychainOAuthProviderOptions) {
    this.options = options;
    if (options.clientMetadataUrl) this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? 'MCP Switchboard',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: this.options.clientSecret ? 'client_secret_basic' : 'none',
      ...(this.options.scopes?.length ? { scope: this.options.scopes.join(' ') } : {}),
    };
  }

  /** The state sent with the last authorization request; the callback must echo it. */
  get pendingState(): string | undefined {
    return this.lastState;
  }

  state(): string {
    this.lastState = randomBytes(16).toString('base64url');
    return this.lastState;
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    if (this.options.clientId) {
      return { client_id: this.options.clientId, ...(this.options.clientSecret ? { client_secret: this.options.clientSecret } : {}) };
    }
    const stored = await this.read<OAuthClientInformationMixed & { redirect_uris?: string[] }>('client');
    // A dynamically registered client is bound to its redirect URIs; the loopback port changes
    // between runs, so a registration for another port is registered again.
    if (stored && Array.isArray(stored.redirect_uris) && !stored.redirect_uris.includes(this.options.redirectUrl)) return undefined;
    return stored;
  }

  async saveClientInformation(info: OAuthClientInformationMixed): Promise<void> {
    if (this.options.clientId) return;
    await this.write('client', info);
  }

  tokens(): Promise<OAuthTokens | undefined> {
    return this.read<OAuthTokens>('tokens');
  }

  saveTokens(tokens: OAuthTokens): Promise<void> {
    return this.write('tokens', tokens);
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    await this.options.openUrl(authorizationUrl);
  }

  saveCodeVerifier(codeVerifier: string): Promise<void> {
    return this.write('verifier', codeVerifier);
  }

  async codeVerifier(): Promise<string> {
    const verifier = await this.read<string>('verifier');
    if (!verifier) throw new Error(`no PKCE code verifier saved for ${this.options.serverId}; start the authorization again`);
    return verifier;
  }

  discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return this.read<OAuthDiscoveryState>('discovery');
  }

  saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    return this.write('discovery', state);
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const slots: Slot[] = scope === 'all' ? ['tokens', 'client', 'verifier', 'discovery'] : [scope];
    for (const slot of slots) await this.remove(slot);
  }

  private name(slot: Slot): string {
    return `oauth.${this.options.serverId}.${slot}`;
  }

  private async read<T>(slot: Slot): Promise<T | undefined> {
    if (this.cache.has(slot)) return this.cache.get(slot) as T | undefined;
    const raw = await this.options.secrets.get(this.name(slot));
    const value = raw === null ? undefined : JSON.parse(raw) as T;
    this.cache.set(slot, value);
    return value;
  }

  private async write(slot: Slot, value: unknown): Promise<void> {
    await this.options.secrets.set(this.name(slot), JSON.stringify(value));
    this.cache.set(slot, value);
  }

  private async remove(slot: Slot): Promise<void> {
    await this.options.secrets.delete(this.name(slot));
    this.cache.set(slot, undefined);
  }
}
