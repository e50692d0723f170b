// Which keychain service holds a data folder's secrets. Kept apart from secret-store.ts so that
// the CLI can name its data folder without loading the native keychain binding.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

export const DEFAULT_KEYCHAIN_SERVICE = 'mcp-switchboard';
/** Names the keychain service exactly for every store built without an explicit one (tests, side-by-side installs). */
export const KEYCHAIN_SERVICE_ENV = 'SWITCHBOARD_KEYCHAIN_SERVICE';

/** $SWITCHBOARD_KEYCHAIN_SERVICE, else 'mcp-switchboard' (the service shared by every data folder before namespacing). */
export function defaultKeychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env[KEYCHAIN_SERVICE_ENV]?.trim() || DEFAULT_KEYCHAIN_SERVICE;
}

/** The data folder whose service a store built without one uses (set once by the entry point: the CLI, the app). */
let processDataDir: string | undefined;

export function useDataDirForKeychain(dataDir: string): void {
  processDataDir = dataDir;
}

/**
 * Where a data folder's secrets live: `<base>:<first 16 hex of SHA-256 of the folder's absolute
 * path>`, migrating from `<base>`. $SWITCHBOARD_KEYCHAIN_SERVICE names the service exactly (no
 * namespace, no migration): whoever sets it chose the separation. Without a data folder, `<base>`.
 */
export function keychainServiceFor(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env, base = DEFAULT_KEYCHAIN_SERVICE): { service: string; legacyService?: string } {
  const override = env[KEYCHAIN_SERVICE_ENV]?.trim();
  if (override) return { service: override };
  if (dataDir === undefined) return { service: base };
  return { service: `${base}:${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}`, legacyService: base };
}

export function keychainDataDir(): string | undefined {
  return processDataDir;
}
