// Delivers the audit outbox to the enterprise gateway as OTLP/HTTP JSON logs (<url>/v1/logs, or
// the URL as given when it already ends in /v1/logs: gateway-url.ts;
// gzip, bearer token). At-least-once: rows are marked delivered only after the gateway's 2xx, so
// a crash between sending and acknowledging resends the batch; every record carries its id
// (log.record.uid) for the gateway to deduplicate.
//
// Responses: 2xx acknowledges (and records any partialSuccess rejections); 408/429/5xx and
// network errors retry after Retry-After or full-jitter backoff; 401/403 retry with backoff (the
// token may be renewed); any other 4xx refuses that batch for good: its rows are marked failed,
// kept in the store, shown in status() with the gateway's message, and put back in the queue on
// the next start, configure() or retryFailed() ("Retry now": an operator fixing the gateway or
// config is what changes the answer). Delivery then carries on with the next batch, so one
// poisoned batch blocks nothing.
//
// The inventory of configured servers goes at start and to a new gateway, then again whenever it
// differs: on inventoryChanged() and on the forwarder's own periodic look (soon after start while
// a server is still coming up, so its tools follow).
//
// Off the hot path: one batch at a time, SQLite work per batch is one bounded read and one
// bounded update, gzip runs on the libuv thread pool, and the loop yields between batches.
import { promisify } from 'node:util';
import { gzip as gzipCb, constants as zlibConstants } from 'node:zlib';
import type { ForwarderStatus } from '../../shared/audit.ts';
import type { AuditOutbox } from '../audit/audit-outbox.ts';
import { newRecordId } from '../audit/record-id.ts';
import { otlpLogsEndpoint } from './gateway-url.ts';
import { inventoryLogRecord, sha256, type InventoryProvider } from './inventory.ts';
import { auditRowToLogRecordJson, droppedLogRecord, exportLogsRequestJson, resourceAttributes, type OtlpKeyValue, type ResourceIdentity } from './otlp-logs.ts';
import { DEFAULT_BACKOFF, classifyStatus, fullJitterDelay, parseRetryAfter, type BackoffOptions } from './retry-policy.ts';

const gzip = promisify(gzipCb);

export interface ForwarderConfig {
  /** The gateway's base URL (records go to <url>/v1/logs) or its full OTLP logs URL (…/v1/logs). */
  readonly url: string;
  readonly batchSize?: number;
  /** How long to wait when the outbox is empty before looking again (ms). */
  readonly intervalMs?: number;
  /** Most undelivered records kept for the gateway; older ones are dropped (and counted). */
  readonly maxBacklog?: number;
  readonly requestTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** Longest Retry-After honoured (ms); a larger one is capped so a bad header cannot stall delivery for days. */
  readonly maxRetryAfterMs?: number;
}

export interface ForwarderDeps {
  readonly outbox: AuditOutbox;
  readonly identity: ResourceIdentity;
  /** The gateway credential (from the OS keychain); undefined sends no Authorization header. */
  readonly getToken: () => Promise<string | undefined>;
  readonly inventory?: InventoryProvider;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

export type DrainResult = 'sent' | 'empty' | 'retry' | 'failed' | 'disabled';

const META_LAST_ERROR = 'forwarder.last_error';
const META_LAST_SUCCESS = 'forwarder.last_success_at';
const META_REJECTED_TOTAL = 'forwarder.rejected_total';
const CAP_CHECK_INTERVAL_MS = 10_000;
/** How often the inventory is looked at again for changes nobody announced (tools, policy status). */
const INVENTORY_CHECK_MS = 5 * 60_000;
/** While an enabled server's tools are unknown (still starting), look again after 1 s, 2 s, 4 s… */
const INVENTORY_INCOMPLETE_FIRST_CHECK_MS = 1000;

interface LastError { at: number; message: string; status: number | null }

export class AuditForwarder {
  private readonly deps: ForwarderDeps;
  private config: ForwarderConfig | null;
  private running = false;
  private loop: Promise<void> | null = null;
  private state: ForwarderStatus['state'] = 'stopped';
  private attempt = 0;
  private nextAttemptAt = 0;
  private deliveredSinceStart = 0;
  private lastCapCheck = 0;
  /** Bumped on every change; the inventory is due while the last one sent is older. */
  private inventoryVersion = 1;
  private inventorySentVersion = 0;
  private inventorySentAt: number | null = null;
  /** Digest of the inventory the gateway has; null makes the next one go whatever it says (start, new gateway). */
  private inventorySentDigest: string | null = null;
  private nextInventoryCheckAt = 0;
  private inventoryIncompleteChecks = 0;
  private lastError: LastError | null;
  private lastSuccessAt: number | null;
  private wakeUp: (() => void) | null = null;
  /** Set by retryFailed()/configure(): an attempt already under way that fails is followed by another at once, not by a backoff. */
  private retryRequested = false;
  private stopController = new AbortController();

  constructor(deps: ForwarderDeps, config: ForwarderConfig | null) {
    this.deps = deps;
    this.config = config;
    const saved = deps.outbox.meta.get(META_LAST_ERROR);
    this.lastError = saved ? (JSON.parse(saved) as LastError) : null;
    const success = deps.outbox.meta.getNumber(META_LAST_SUCCESS);
    this.lastSuccessAt = success > 0 ? success : null;
  }

  /** Starts draining in the background; batches the gateway refused before are queued again. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.deps.outbox.retryFailed();
    this.inventorySentDigest = null;
    this.inventoryVersion++;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    this.wake();
    await this.loop;
    this.loop = null;
    this.state = 'stopped';
  }

  /** New gateway settings (or null to stop forwarding): refused batches get another chance. */
  configure(config: ForwarderConfig | null): void {
    this.config = config;
    this.deps.outbox.retryFailed();
    this.inventorySentDigest = null;
    this.inventoryVersion++;
    this.retryNow();
  }

  /** The configured servers, their state or their tools may have changed: the inventory is sent again if it differs. */
  inventoryChanged(): void {
    this.inventoryVersion++;
    this.wake();
  }

  /**
   * "Retry now" (after fixing the network, the token or the gateway): puts refused batches back
   * in the queue, forgets the backoff (which may have grown to minutes during an outage) and
   * tries at once. Returns how many refused records were queued again.
   */
  retryFailed(): number {
    const n = this.deps.outbox.retryFailed();
    this.retryNow();
    return n;
  }

  private retryNow(): void {
    this.attempt = 0;
    this.nextAttemptAt = 0;
    this.retryRequested = true;
    this.wake();
  }

  status(): ForwarderStatus {
    const outbox = this.deps.outbox;
    return {
      enabled: this.config !== null,
      url: this.config?.url ?? null,
      state: this.config === null ? 'disabled' : this.state,
      backlog: outbox.pendingCount(),
      failed: outbox.failedCount(),
      deliveredSinceStart: this.deliveredSinceStart,
      droppedTotal: outbox.droppedTotal(),
      rejectedTotal: outbox.meta.getNumber(META_REJECTED_TOTAL),
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      nextAttemptAt: this.nextAttemptAt > this.now() ? this.nextAttemptAt : null,
      inventorySentAt: this.inventorySentAt,
    };
  }

  /** One delivery attempt (inventory if due, else the next batch). Used by the loop, tests and the bench. */
  async drainOnce(): Promise<DrainResult> {
    const config = this.config;
    if (!config) return 'disabled';
    const now = this.now();
    if (now - this.lastCapCheck >= CAP_CHECK_INTERVAL_MS) {
      this.lastCapCheck = now;
      this.deps.outbox.enforceCap(config.maxBacklog ?? 1_000_000);
    }
    if (this.deps.inventory) {
      if (this.inventorySentVersion === this.inventoryVersion && now >= this.nextInventoryCheckAt) this.inventoryVersion++;
      if (this.inventorySentVersion !== this.inventoryVersion) {
        const sent = await this.sendInventory(config);
        if (sent !== 'unchanged') return sent;
      }
    }

    const outbox = this.deps.outbox;
    const rows = outbox.take(config.batchSize ?? 1000);
    const dropped = outbox.droppedUnreported();
    if (rows.length === 0 && dropped === 0) return 'empty';
    const records: string[] = [];
    if (dropped > 0) {
      const total = outbox.droppedTotal();
      const record = droppedLogRecord(dropped, `${this.deps.identity.deviceId}-dropped-${total}`, now);
      record.attributes.push({ key: 'mcp_switchboard.dropped.total', value: { intValue: String(total) } });
      records.push(JSON.stringify(record));
    }
    for (const row of rows) records.push(auditRowToLogRecordJson(row, now));
    const seqs = rows.map((row) => row.seq);
    const result = await this.post(config, records);
    if (result === 'success') {
      outbox.markDelivered(seqs);
      if (dropped > 0) outbox.acknowledgeDropped(dropped);
      this.deliveredSinceStart += rows.length;
      return 'sent';
    }
    if (result === 'permanent') {
      outbox.markFailed(seqs);
      return 'failed';
    }
    return 'retry';
  }

  private async sendInventory(config: ForwarderConfig): Promise<DrainResult | 'unchanged'> {
    const version = this.inventoryVersion;
    let servers;
    try {
      servers = await this.deps.inventory!.listServers();
    } catch (error) {
      this.inventorySentVersion = version;
      this.scheduleInventoryCheck(false);
      this.setError({ at: this.now(), message: `inventory unavailable: ${(error as Error).message}`, status: null });
      return 'failed';
    }
    // Sent at start a server may still be starting (tools unknown): look again soon until it is up.
    const incomplete = servers.some((server) => server.enabled && server.tools === null);
    const digest = sha256(JSON.stringify(servers));
    if (digest === this.inventorySentDigest) {
      this.inventorySentVersion = version;
      this.scheduleInventoryCheck(incomplete);
      return 'unchanged';
    }
    const now = this.now();
    const records = servers.map((server) => JSON.stringify(inventoryLogRecord(server, newRecordId(now), now)));
    const result = records.length === 0 ? 'success' : await this.post(config, records);
    if (result === 'retry') return 'retry';
    this.inventorySentVersion = version; // a change made while sending makes it due again
    this.scheduleInventoryCheck(incomplete);
    if (result === 'success') {
      this.inventorySentDigest = digest;
      this.inventorySentAt = now;
      return 'sent';
    }
    return 'failed';
  }

  private scheduleInventoryCheck(incomplete: boolean): void {
    this.inventoryIncompleteChecks = incomplete ? this.inventoryIncompleteChecks + 1 : 0;
    const delay = incomplete
      ? Math.min(INVENTORY_CHECK_MS, INVENTORY_INCOMPLETE_FIRST_CHECK_MS * 2 ** Math.min(this.inventoryIncompleteChecks - 1, 16))
      : INVENTORY_CHECK_MS;
    this.nextInventoryCheckAt = this.now() + delay;
  }

  /** Sends log records (each already JSON text) as one request. */
  private async post(config: ForwarderConfig, records: readonly string[]): Promise<'success' | 'retry' | 'permanent'> {
    this.state = 'sending';
    const endpoint = otlpLogsEndpoint(config.url);
    let status: number | null = null;
    let retryAfter: string | null = null;
    let text = '';
    try {
      const body = await gzip(exportLogsRequestJson(this.resource(), this.deps.identity.serviceVersion, records), { level: zlibConstants.Z_BEST_SPEED });
      const token = await this.deps.getToken();
      const headers: Record<string, string> = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
      if (token) headers.authorization = `Bearer ${token}`;
      const signal = AbortSignal.any([AbortSignal.timeout(config.requestTimeoutMs ?? 30_000), this.stopController.signal]);
      const response = await (this.deps.fetch ?? fetch)(endpoint, { method: 'POST', headers, body, signal });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      return this.retryLater(config, `cannot reach the gateway at ${endpoint}: ${describe(error)}`, null, undefined);
    }

    const kind = classifyStatus(status);
    if (kind === 'success') {
      this.attempt = 0;
      this.nextAttemptAt = 0;
      this.lastSuccessAt = this.now();
      this.deps.outbox.meta.set(META_LAST_SUCCESS, this.lastSuccessAt);
      this.recordPartialSuccess(text);
      return 'success';
    }
    const detail = text.trim().slice(0, 300);
    if (kind === 'permanent') {
      this.setError({ at: this.now(), message: `the gateway refused a batch of ${records.length} records (HTTP ${status}${detail ? `: ${detail}` : ''}); kept and retried on the next start, a gateway change or \`switchboard audit retry\``, status });
      this.state = 'idle';
      return 'permanent';
    }
    const why = kind === 'auth' ? 'rejected the credential' : 'is unavailable';
    return this.retryLater(config, `the gateway ${why} (HTTP ${status}${detail ? `: ${detail}` : ''})`, status, parseRetryAfter(retryAfter, this.now()));
  }

  private retryLater(config: ForwarderConfig, message: string, status: number | null, retryAfterMs: number | undefined): 'retry' {
    const backoff = config.backoff ?? DEFAULT_BACKOFF;
    const delay = retryAfterMs !== undefined
      ? Math.min(retryAfterMs, config.maxRetryAfterMs ?? 60 * 60_000)
      : fullJitterDelay(this.attempt, backoff, this.deps.random);
    this.attempt++;
    this.nextAttemptAt = this.now() + delay;
    this.state = 'backoff';
    this.setError({ at: this.now(), message, status });
    return 'retry';
  }

  private recordPartialSuccess(text: string): void {
    if (!text) return;
    try {
      const parsed = JSON.parse(text) as { partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string } };
      const rejected = Number(parsed.partialSuccess?.rejectedLogRecords ?? 0);
      const message = parsed.partialSuccess?.errorMessage;
      if (rejected > 0) {
        this.deps.outbox.meta.add(META_REJECTED_TOTAL, rejected);
        this.setError({ at: this.now(), message: `the gateway rejected ${rejected} records of a batch${message ? `: ${message}` : ''}`, status: 200 });
      } else if (message) {
        this.setError({ at: this.now(), message: `the gateway warned: ${message}`, status: 200 });
      }
    } catch {
      // A non-JSON 2xx body still acknowledges the batch.
    }
  }

  private setError(error: LastError): void {
    this.lastError = error;
    try {
      this.deps.outbox.meta.set(META_LAST_ERROR, JSON.stringify(error));
    } catch {
      // A full disk: status() still has it; throwing here would end the delivery loop for good.
    }
  }

  private resourceCache: OtlpKeyValue[] | null = null;
  private resource(): OtlpKeyValue[] {
    this.resourceCache ??= resourceAttributes(this.deps.identity);
    return this.resourceCache;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const config = this.config;
      if (!config) {
        this.state = 'disabled';
        await this.sleep(60_000);
        continue;
      }
      const wait = this.nextAttemptAt - this.now();
      if (wait > 0) {
        this.state = 'backoff';
        await this.sleep(wait);
        continue;
      }
      this.retryRequested = false;
      let result: DrainResult;
      try {
        result = await this.drainOnce();
      } catch (error) {
        // SQLite busy or similar: note it and try again later; the rows stay where they are.
        this.retryLater(config, `forwarding failed: ${describe(error)}`, null, undefined);
        continue;
      }
      if (result === 'retry' && this.retryRequested) {
        // The attempt was already on its way when "retry now" came (e.g. still failing against
        // the network being fixed): its failure must not put the next try minutes away.
        this.attempt = 0;
        this.nextAttemptAt = 0;
        continue;
      }
      if (result === 'empty') {
        this.state = 'idle';
        await this.sleep(config.intervalMs ?? 1000);
      } else if (result !== 'retry') {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}
