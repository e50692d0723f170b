// Secrets live in the OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret
// Service) through @napi-rs/keyring. The keychain cannot list entries by service portably, so an
// index of names (never values) is kept as one more keychain entry of the same service.
//
// Each data folder (profile) has a service of its own, `mcp-switchboard:<hash of the folder>`, so
// two profiles never read or overwrite each other's secrets. Entries from before (one service,
// `mcp-switchboard`, shared by every profile) are copied into a profile's service the first time
// it uses the keychain; see resources/README.md.
import { AsyncEntry } from '@napi-rs/keyring';
import { SECRET_NAME_PATTERN } from '../../shared/api/secrets.ts';
import { keychainDataDir, keychainServiceFor } from './keychain-namespace.ts';

export { DEFAULT_KEYCHAIN_SERVICE, KEYCHAIN_SERVICE_ENV, defaultKeychainService, keychainServiceFor, useDataDirForKeychain } from './keychain-namespace.ts';
/** Account name of the index entry; it cannot clash with a secret name (those start with a letter or digit). */
const INDEX_ACCOUNT = '~index';
/** Set in a data folder's service once the shared entries of before were copied into it. */
const MIGRATED_ACCOUNT = '~migrated';

export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
  list(): Promise<string[]>;
}

export class KeychainUnavailableError extends Error {
  constructor(cause: unknown, platform: NodeJS.Platform = process.platform) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const hint = platform === 'linux'
      ? 'on Linux start a Secret Service such as gnome-keyring (dbus) and unlock its login collection, e.g. `echo -n <password> | gnome-keyring-daemon --unlock --components=secrets` inside a D-Bus session'
      : platform === 'darwin' ? 'unlock the login keychain (Keychain Access)' : 'check that Windows Credential Manager is available';
    super(`no OS keychain available: ${hint} (${detail})`, { cause });
    this.name = 'KeychainUnavailableError';
  }
}

export class InvalidSecretNameError extends Error {
  constructor(name: string) {
    super(`invalid secret name "${name}": use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    this.name = 'InvalidSecretNameError';
  }
}

export function assertSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) throw new InvalidSecretNameError(name);
}

export interface KeyringSecretStoreOptions {
  /** Exact keychain service name, no namespace and no migration; tests pass a unique one so runs never see each other's entries. */
  service?: string;
  /** The data folder whose secrets these are (default: the one the entry point named, see useDataDirForKeychain). */
  dataDir?: string;
  /** The service the per-folder ones derive from and migrate from (default 'mcp-switchboard'; tests pass a unique one). */
  baseService?: string;
}

export class KeyringSecretStore implements SecretStore {
  readonly service: string;
  private readonly legacyService: string | undefined;
  /** Serialises index read-modify-write within this process. */
  private indexLock: Promise<unknown> = Promise.resolve();
  private migration: Promise<void> | undefined;

  constructor(options: KeyringSecretStoreOptions = {}) {
    if (options.service !== undefined) {
      this.service = options.service;
    } else {
      const where = keychainServiceFor(options.dataDir ?? keychainDataDir(), process.env, options.baseService);
      this.service = where.service;
      this.legacyService = where.legacyService;
    }
  }

  async get(name: string): Promise<string | null> {
    assertSecretName(name);
    await this.migrated();
    return this.keychain(() => this.entry(name).getPassword());
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    if (value.length === 0) throw new Error(`secret "${name}" has an empty value`);
    await this.migrated();
    await this.keychain(() => this.entry(name).setPassword(value));
    await this.updateIndex((names) => names.add(name));
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    await this.migrated();
    const deleted = await this.keychain(() => this.entry(name).deleteCredential());
    await this.updateIndex((names) => names.delete(name));
    return deleted;
  }

  async list(): Promise<string[]> {
    await this.migrated();
    return [...await this.readIndex()].sort();
  }

  /**
   * Once per data folder: copies the entries of the shared service of before that this folder's
   * service does not have, then marks the folder migrated. Copied, not moved: every profile that
   * shared them keeps what it saw until it starts once. Runs before the first operation of each
   * store (lazily, so every way in — daemon, CLI, bridge, OAuth — gets it); a failure is retried
   * by the next operation.
   */
  private migrated(): Promise<void> {
    if (this.legacyService === undefined) return Promise.resolve();
    this.migration ??= this.copyLegacyEntries(this.legacyService).catch((error: unknown) => {
      this.migration = undefined;
      throw error;
    });
    return this.migration;
  }

  private async copyLegacyEntries(legacy: string): Promise<void> {
    if (await this.keychain(() => this.entry(MIGRATED_ACCOUNT).getPassword()) !== null) return;
    const legacyNames = await this.readIndex(legacy);
    const copied: string[] = [];
    if (legacyNames.size > 0) {
      const own = await this.readIndex();
      for (const name of legacyNames) {
        if (own.has(name) || !SECRET_NAME_PATTERN.test(name)) continue;
        const value = await this.keychain(() => this.entry(name, legacy).getPassword());
        if (value === null) continue;
        await this.keychain(() => this.entry(name).setPassword(value));
        copied.push(name);
      }
      if (copied.length > 0) await this.updateIndex((names) => copied.forEach((name) => names.add(name)));
    }
    await this.keychain(() => this.entry(MIGRATED_ACCOUNT).setPassword(JSON.stringify({ from: legacy, copied: copied.length, at: new Date().toISOString() })));
  }

  private entry(account: string, service = this.service): AsyncEntry {
    // On Linux the binding would otherwise fall back silently to the kernel keyring, which is
    // in-memory only: secrets would vanish at reboot. Requiring the Secret Service fails loudly.
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  }

  private async readIndex(service = this.service): Promise<Set<string>> {
    const raw = await this.keychain(() => this.entry(INDEX_ACCOUNT, service).getPassword());
    if (!raw) return new Set();
    try {
      const parsed: unknown = JSON.parse(raw);
      return new Set(Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : []);
    } catch {
      return new Set();
    }
  }

  private updateIndex(change: (names: Set<string>) => unknown): Promise<void> {
    const next = this.indexLock.then(async () => {
      const names = await this.readIndex();
      change(names);
      if (names.size === 0) await this.keychain(() => this.entry(INDEX_ACCOUNT).deleteCredential());
      else await this.keychain(() => this.entry(INDEX_ACCOUNT).setPassword(JSON.stringify([...names].sort())));
    });
    this.indexLock = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs one keychain call; a missing or locked keychain becomes KeychainUnavailableError. A call
   * the Secret Service dropped because its daemon went away (it restarts on the next call) is
   * made once more.
   */
  private async keychain<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (first) {
      if (!serviceWentAway(first)) throw isUnavailable(first) ? new KeychainUnavailableError(first) : first;
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
      try {
        return await call();
      } catch (error) {
        throw isUnavailable(error) ? new KeychainUnavailableError(error) : error;
      }
    }
  }
}

const RETRY_AFTER_MS = 250;

function serviceWentAway(error: unknown): boolean {
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
  return /disconnected from message bus|NoReply|did not receive a reply/i.test(message);
}

function isUnavailable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /platform storage|secret service|dbus|d-bus|no storage|locked|prompt was dismissed|NoStorageAccess|PlatformFailure/i.test(message);
}
