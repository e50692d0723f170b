// A failure that repeats is news once. With the disk full, moving finished calls into the indexed
// table fails on every retry (every 50 ms): logged each time, that was about 20 lines a second
// with no traffic at all, burying everything else and filling the log's own disk. So the first
// failure is logged when it happens, then one summary per interval while failures go on (how many,
// the last error), and one line when an interval passes without any: the state changes, not the
// retries.
import type { Logger } from '../base/logger.ts';

export const FAILURE_SUMMARY_INTERVAL_MS = 60_000;

export class RepeatedFailureLog {
  private readonly logger: Logger;
  private readonly what: string;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private failingSince = 0;
  private failures = 0;
  private lastError = '';

  /** `what` names the operation, e.g. "audit: indexing finished calls". */
  constructor(logger: Logger, what: string, options: { intervalMs?: number } = {}) {
    this.logger = logger;
    this.what = what;
    this.intervalMs = options.intervalMs ?? FAILURE_SUMMARY_INTERVAL_MS;
  }

  failed(error: Error): void {
    this.lastError = error.message;
    if (this.timer) {
      this.failures++;
      return;
    }
    this.failingSince = Date.now();
    this.failures = 0;
    this.logger.error(`${this.what} failed; retrying, and logging a summary every ${Math.round(this.intervalMs / 1000)} s while it goes on`, { error: error.message });
    this.timer = setInterval(() => this.summarize(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the summaries (daemon shutdown). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private summarize(): void {
    const failingForS = Math.round((Date.now() - this.failingSince) / 1000);
    if (this.failures === 0) {
      this.close();
      this.logger.info(`${this.what} works again (no failure in the last ${Math.round(this.intervalMs / 1000)} s)`, { failingForS });
      return;
    }
    this.logger.error(`${this.what} still failing`, { failures: this.failures, failingForS, lastError: this.lastError });
    this.failures = 0;
  }
}
