// Keeps the org policy fresh: fetches the signed envelope from the URL the managed policy names
// (If-None-Match / ETag, every refreshSeconds), verifies it, and caches it as last-known-good in
// the data folder. A document that is unsigned, badly signed, invalid or older (lower serial)
// than the one in hand is refused and never replaces the last good one.
import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { PolicyDocument } from '../../shared/policy.ts';
import type { OrgState } from './org-state.ts';
import { verifyEnvelope, type NamedPublicKey } from './signature.ts';

export interface OrgSyncSettings {
  readonly url: string;
  readonly publicKeys: readonly NamedPublicKey[];
  readonly refreshSeconds: number;
  readonly required: boolean;
}

export interface OrgSyncDeps {
  readonly settings: OrgSyncSettings;
  /** Last-known-good cache, e.g. <dataDir>/org-policy.json. */
  readonly cacheFile: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Called whenever the state changes (new policy, new error). */
  readonly onChange?: (state: OrgState) => void;
  readonly requestTimeoutMs?: number;
}

const CacheSchema = z.object({ envelope: z.unknown(), etag: z.string().optional(), fetchedAt: z.string() });

export class OrgPolicySync {
  private readonly deps: OrgSyncDeps;
  private current: { policy: PolicyDocument; envelope: unknown; etag?: string; fetchedAt: string } | undefined;
  private lastError: string | undefined = 'not fetched yet';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<OrgState> | undefined;

  constructor(deps: OrgSyncDeps) {
    this.deps = deps;
  }

  state(): OrgState {
    const { url, required } = this.deps.settings;
    if (this.current) return { state: 'active', url, policy: this.current.policy, fetchedAt: this.current.fetchedAt, ...(this.lastError ? { lastError: this.lastError } : {}) };
    return { state: 'unavailable', url, required, message: this.lastError ?? 'not fetched yet' };
  }

  /**
   * Loads the cache and refreshes on the interval. With a good cached copy the first fetch runs in
   * the background (start-up is not held up by a slow org server); without one it is awaited, so
   * a required org policy is in force before the first server is admitted.
   */
  async start(): Promise<OrgState> {
    await this.loadCache();
    this.timer = setInterval(() => void this.refresh(), this.deps.settings.refreshSeconds * 1000);
    this.timer.unref();
    if (this.current) {
      void this.refresh();
      return this.state();
    }
    return this.refresh();
  }

  /** Resolves when no fetch is in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async loadCache(): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.deps.cacheFile, 'utf8'));
    } catch {
      return;
    }
    const cache = CacheSchema.safeParse(raw);
    if (!cache.success) return;
    // Verified again: the keys in the managed policy may have been rotated since it was cached.
    const verified = verifyEnvelope(cache.data.envelope, this.deps.settings.publicKeys);
    if (!verified.ok) return;
    this.current = { policy: verified.policy, envelope: cache.data.envelope, etag: cache.data.etag, fetchedAt: cache.data.fetchedAt };
    this.lastError = 'not refreshed since start';
    this.deps.onChange?.(this.state());
  }

  refresh(): Promise<OrgState> {
    this.inFlight ??= this.fetchOnce().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  private async fetchOnce(): Promise<OrgState> {
    const doFetch = this.deps.fetch ?? fetch;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.current?.etag) headers['if-none-match'] = this.current.etag;
    let response: Response;
    try {
      response = await doFetch(this.deps.settings.url, { headers, signal: AbortSignal.timeout(this.deps.requestTimeoutMs ?? 15_000), redirect: 'follow' });
    } catch (error) {
      return this.fail(`cannot fetch ${this.deps.settings.url}: ${(error as Error).message}`);
    }
    if (response.status === 304 && this.current) {
      this.lastError = undefined;
      this.current = { ...this.current, fetchedAt: this.now() };
      this.deps.onChange?.(this.state());
      return this.state();
    }
    if (!response.ok) return this.fail(`${this.deps.settings.url} answered HTTP ${response.status}`);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      return this.fail(`${this.deps.settings.url} sent invalid JSON: ${(error as Error).message}`);
    }
    const verified = verifyEnvelope(body, this.deps.settings.publicKeys);
    if (!verified.ok) return this.fail(`refused org policy from ${this.deps.settings.url}: ${verified.reason}`);
    const previousSerial = this.current?.policy.serial;
    if (previousSerial !== undefined && (verified.policy.serial ?? -1) < previousSerial) {
      return this.fail(`refused org policy from ${this.deps.settings.url}: serial ${verified.policy.serial ?? 'none'} is older than the cached ${previousSerial}`);
    }
    const etag = response.headers.get('etag') ?? undefined;
    this.current = { policy: verified.policy, envelope: body, etag, fetchedAt: this.now() };
    this.lastError = undefined;
    await writeFileAtomic(this.deps.cacheFile, JSON.stringify({ envelope: body, etag, fetchedAt: this.current.fetchedAt }, null, 2), { mode: 0o600 });
    this.deps.onChange?.(this.state());
    return this.state();
  }

  private fail(message: string): OrgState {
    this.lastError = message;
    this.deps.onChange?.(this.state());
    return this.state();
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}
