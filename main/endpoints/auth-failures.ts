// Refused logins at the HTTP endpoint (401 and 403): counted and kept in a short ring so that
// `status` and the UI show how often they happen, with who (the token's name when it was a known
// token used out of scope, else the User-Agent), why, and where. Never the token itself. The log
// gets one line at the first failure and then at most one line a minute with the count since, so a
// client retrying with a dead token cannot flood it.
import type { Logger } from '../base/logger.ts';

export interface AuthFailure {
  at: string;
  status: 401 | 403;
  /** missing token, invalid token, token not for this server, invalid API token. */
  reason: string;
  /** "/mcp/<server>" or "/api/<method>". */
  endpoint: string;
  /** `token "<name>"` for a known token, else `user-agent "<ua>"` (or "unknown"). */
  client: string;
}

export interface AuthFailureSummary {
  total: number;
  /** Failures in the last 60 s and the last hour: the rate to watch. */
  lastMinute: number;
  lastHour: number;
  byReason: Record<string, number>;
  /** The latest failures, newest first (at most 20). */
  recent: AuthFailure[];
}

const RECENT = 20;
const LOG_EVERY_MS = 60_000;
const HOUR_MS = 3_600_000;

export class AuthFailureLog {
  private readonly logger: Logger;
  private readonly now: () => number;
  private total = 0;
  private readonly byReason = new Map<string, number>();
  private readonly recent: AuthFailure[] = [];
  /** Times of the failures of the last hour (oldest first), for the rates. */
  private readonly times: number[] = [];
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;
  private readonly listeners = new Set<(failure: AuthFailure) => void>();

  constructor(logger: Logger, now: () => number = Date.now) {
    this.logger = logger;
    this.now = now;
  }

  record(failure: Omit<AuthFailure, 'at'>): void {
    const now = this.now();
    const entry: AuthFailure = { at: new Date(now).toISOString(), ...failure, client: printable(failure.client), endpoint: printable(failure.endpoint) };
    this.total++;
    this.byReason.set(entry.reason, (this.byReason.get(entry.reason) ?? 0) + 1);
    this.recent.unshift(entry);
    if (this.recent.length > RECENT) this.recent.length = RECENT;
    this.times.push(now);
    this.prune(now);
    for (const listener of this.listeners) listener(entry);
    this.unlogged++;
    if (now - this.lastLogAt >= LOG_EVERY_MS) {
      this.logger.warn('HTTP login refused', { status: entry.status, reason: entry.reason, endpoint: entry.endpoint, client: entry.client, ...(this.unlogged > 1 ? { refusedSinceLastLine: this.unlogged } : {}) });
      this.lastLogAt = now;
      this.unlogged = 0;
    }
  }

  /** Every refused login as it is recorded (metrics count them by reason); returns an unsubscribe function. */
  onRecord(listener: (failure: AuthFailure) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  summary(): AuthFailureSummary {
    const now = this.now();
    this.prune(now);
    return {
      total: this.total,
      lastMinute: this.times.filter((t) => t > now - 60_000).length,
      lastHour: this.times.length,
      byReason: Object.fromEntries(this.byReason),
      recent: this.recent.map((entry) => ({ ...entry })),
    };
  }

  private prune(now: number): void {
    while (this.times.length > 0 && this.times[0]! <= now - HOUR_MS) this.times.shift();
  }
}

/** Header text as a short single line (a User-Agent is the caller's to choose). */
function printable(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}
