// Reads registries through their /v0.1 clients and keeps every answer in the cache: an answer
// that cannot be had now (the registry is down, or answers garbage) is the last one cached, with
// its age and why it is not fresh. Not-found is an answer, never replaced by an older one.
import { RegistryCache } from './registry-cache.ts';
import { RegistryClient, RegistryNotFoundError } from './registry-client.ts';

export interface ReadResult<T> {
  readonly value: T;
  readonly fetchedAt: string;
  /** Set when this is the cached answer because the registry could not answer now: why. */
  readonly offline?: string;
}

export interface RegistryReaderDeps {
  readonly cache: RegistryCache;
  readonly fetch?: typeof fetch;
  /** Most pages one listing follows (default 50). */
  readonly maxPages?: number;
  readonly now?: () => Date;
}

export class RegistryReader {
  private readonly clients = new Map<string, RegistryClient>();

  private readonly deps: RegistryReaderDeps;

  constructor(deps: RegistryReaderDeps) {
    this.deps = deps;
  }

  client(url: string): RegistryClient {
    let client = this.clients.get(url);
    if (!client) {
      client = new RegistryClient({ baseUrl: url, ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}), ...(this.deps.maxPages ? { maxPages: this.deps.maxPages } : {}) });
      this.clients.set(url, client);
    }
    return client;
  }

  /** The fresh answer (then cached), else the cached one marked offline; with neither, the error. */
  async read<T>(url: string, key: string, fetcher: (client: RegistryClient) => Promise<T>): Promise<ReadResult<T>> {
    const cacheKey = `${url} ${key}`;
    try {
      const value = await fetcher(this.client(url));
      const fetchedAt = (this.deps.now?.() ?? new Date()).toISOString();
      this.deps.cache.write(cacheKey, value, fetchedAt);
      return { value, fetchedAt };
    } catch (error) {
      if (error instanceof RegistryNotFoundError) throw error;
      const cached = this.deps.cache.read<T>(cacheKey);
      if (!cached) throw error;
      return { value: cached.value, fetchedAt: cached.fetchedAt, offline: (error as Error).message };
    }
  }

  /** The cached answer alone (no request): what is known offline, or before the first refresh. */
  cached<T>(url: string, key: string): ReadResult<T> | undefined {
    const cached = this.deps.cache.read<T>(`${url} ${key}`);
    return cached ? { value: cached.value, fetchedAt: cached.fetchedAt, offline: 'not read from the registry since this process started' } : undefined;
  }

  /** Seconds since `fetchedAt`. */
  ageSeconds(fetchedAt: string): number {
    return Math.max(0, Math.round(((this.deps.now?.() ?? new Date()).getTime() - Date.parse(fetchedAt)) / 1000));
  }
}
