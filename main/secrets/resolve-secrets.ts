// References such as { "secret": "github-token" } are resolved only when a server is spawned or a
// request is sent, so values never sit in memory longer than the call that needs them.
import type { ValueOrSecret } from '../../shared/config.ts';
import type { SecretStore } from './secret-store.ts';

export class SecretNotFoundError extends Error {
  readonly secretName: string;
  constructor(name: string, usedBy?: string) {
    super(`secret "${name}"${usedBy ? ` (used by ${usedBy})` : ''} is not in the OS keychain: set it with \`switchboard secret set ${name}\``);
    this.name = 'SecretNotFoundError';
    this.secretName = name;
  }
}

export type ResolveSecret = (name: string) => Promise<string>;

/** The function the daemon's spawn/request code calls to turn a secret name into its value. */
export function createSecretResolver(store: SecretStore): ResolveSecret {
  return async (name) => {
    const value = await store.get(name);
    if (value === null) throw new SecretNotFoundError(name);
    return value;
  };
}

export async function resolveSecret(store: SecretStore, name: string): Promise<string> {
  return createSecretResolver(store)(name);
}

/**
 * Resolves a map of env vars or headers, at spawn or request time. `usedBy` (e.g. "server 'gh'
 * env") names the place in the error, with the key that needs the secret.
 */
export async function resolveValueMap(values: Record<string, ValueOrSecret>, resolve: ResolveSecret, usedBy: string): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') {
      resolved[key] = value;
      continue;
    }
    try {
      resolved[key] = await resolve(value.secret);
    } catch (error) {
      if (error instanceof SecretNotFoundError) throw new SecretNotFoundError(value.secret, `${usedBy}, ${key}`);
      throw new Error(`${usedBy}: ${key} needs secret "${value.secret}": ${(error as Error).message}`, { cause: error });
    }
  }
  return resolved;
}
