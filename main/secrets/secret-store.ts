// Secrets live in the OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret
// Service) through @napi-rs/keyring. The keychain cannot list entries by service portably, so an
// index of names (never values) is kept as one more keychain entry of the same service.
import { AsyncEntry } from '@napi-rs/keyring';
import { SECRET_NAME_PATTERN } from '../../shared/api/secrets.ts';

export const DEFAULT_KEYCHAIN_SERVICE = 'mcp-switchboard';
/** Overrides the keychain service of every store built without an explicit one (tests, side-by-side installs). */
export const KEYCHAIN_SERVICE_ENV = 'SWITCHBOARD_KEYCHAIN_SERVICE';

/** The keychain service used when none is passed: $SWITCHBOARD_KEYCHAIN_SERVICE, else 'mcp-switchboard'. */
export function defaultKeychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env[KEYCHAIN_SERVICE_ENV]?.trim() || DEFAULT_KEYCHAIN_SERVICE;
}
/** Account name of the index entry; it cannot clash with a secret name (those start with a letter or digit). */
const INDEX_ACCOUNT = '~index';

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
  /** Keychain service name (default: defaultKeychainService()); tests pass a unique one so runs never see each other's entries. */
  service?: string;
}

export class KeyringSecretStore implements SecretStore {
  private readonly service: string;
  /** Serialises index read-modify-write within this process. */
  private indexLock: Promise<unknown> = Promise.resolve();

  constructor(options: KeyringSecretStoreOptions = {}) {
    this.service = options.service ?? defaultKeychainService();
  }

  async get(name: string): Promise<string | null> {
    assertSecretName(name);
    return this.keychain(() => this.entry(name).getPassword());
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    if (value.length === 0) throw new Error(`secret "${name}" has an empty value`);
    await this.keychain(() => this.entry(name).setPassword(value));
    await this.updateIndex((names) => names.add(name));
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    const deleted = await this.keychain(() => this.entry(name).deleteCredential());
    await this.updateIndex((names) => names.delete(name));
    return deleted;
  }

  async list(): Promise<string[]> {
    return [...await this.readIndex()].sort();
  }

  private entry(account: string): AsyncEntry {
    // On Linux the binding would otherwise fall back silently to the kernel keyring, which is
    // in-memory only: secrets would vanish at reboot. Requiring the Secret Service fails loudly.
    return new AsyncEntry(this.service, account, { linux: { store: 'secret-service' } });
  }

  private async readIndex(): Promise<Set<string>> {
    const raw = await this.keychain(() => this.entry(INDEX_ACCOUNT).getPassword());
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

  /** Runs one keychain call; a missing or locked keychain becomes KeychainUnavailableError. */
  private async keychain<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw isUnavailable(error) ? new KeychainUnavailableError(error) : error;
    }
  }
}

function isUnavailable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /platform storage|secret service|dbus|d-bus|no storage|locked|prompt was dismissed|NoStorageAccess|PlatformFailure/i.test(message);
}
