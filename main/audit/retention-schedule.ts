// Applies the audit retention settings: at start and every hour, records older than the policy's
// audit.retentionDays go, the count is kept under audit.maxRows, and the database under its size cap.
import type { Logger } from '../base/logger.ts';
import type { AuditRetention } from './audit-retention.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const EVERY_MS = 60 * 60 * 1000;
export const DEFAULT_RETENTION_DAYS = 90;
/** Size cap of the audit database when no policy sets one (oldest rows go first, counted as dropped). */
export const DEFAULT_AUDIT_MAX_BYTES = 1024 * 1024 * 1024;

export interface RetentionSettings {
  /** audit.retentionDays from the effective policy; undefined for the default. */
  readonly retentionDays: () => number | undefined;
  /** audit.maxRows from the effective policy; undefined for no cap on the count. */
  readonly maxRows: () => number | undefined;
}

export class RetentionSchedule {
  private readonly retention: AuditRetention;
  private readonly settings: RetentionSettings;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;

  constructor(retention: AuditRetention, settings: RetentionSettings, logger: Logger) {
    this.retention = retention;
    this.settings = settings;
    this.logger = logger;
  }

  start(): void {
    this.pruneNow();
    this.timer = setInterval(() => this.pruneNow(), EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  pruneNow(): void {
    try {
      const days = this.settings.retentionDays() ?? DEFAULT_RETENTION_DAYS;
      const maxRows = this.settings.maxRows();
      const result = this.retention.prune({ maxAgeMs: days * DAY_MS, maxBytes: DEFAULT_AUDIT_MAX_BYTES, ...(maxRows !== undefined ? { maxRows } : {}) });
      if (result.deleted > 0) this.logger.info('audit retention pruned old records', { ...result });
    } catch (error) {
      this.logger.error('audit retention failed', { error: (error as Error).message });
    }
  }
}
