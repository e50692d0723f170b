// When to try again: exponential backoff with full jitter (a random wait between 0 and the
// exponential bound, so many laptops coming back online do not hit the gateway in step), and the
// gateway's Retry-After (delta-seconds or an HTTP date) when it gives one.

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 5 * 60_000 };

/** Full jitter: uniform in [0, min(max, base·2^attempt)]. `attempt` starts at 0. */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const bound = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * bound);
}

/** Milliseconds to wait from a Retry-After header value, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export type ResponseClass = 'success' | 'retry' | 'auth' | 'permanent';

/** 2xx success; 408/429/5xx retry; 401/403 wait for a new token; other 4xx refuse this batch for good. */
export function classifyStatus(status: number): ResponseClass {
  if (status >= 200 && status < 300) return 'success';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  if (status === 401 || status === 403) return 'auth';
  return 'permanent';
}
