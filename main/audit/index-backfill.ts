// Indexes, in the daemon's idle time, the rows an upgraded audit database had before migration 6
// (AuditIndexes.backfillStep): small steps with a pause between them so calls and their merges
// interleave, newest rows first. The queries read the rows directly until the last step is done.
import type { Logger } from '../base/logger.ts';
import type { SqliteDatabase } from './database.ts';
import { AuditIndexes } from './audit-indexes.ts';

/** Rows per step: a few milliseconds of work on a laptop (test/bench/audit-queries.ts measures it). */
export const BACKFILL_STEP_ROWS = 500;
const PAUSE_MS = 10;

export class IndexBackfill {
  private readonly indexes: AuditIndexes;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private indexed = 0;

  constructor(db: SqliteDatabase, logger: Logger) {
    this.indexes = new AuditIndexes(db);
    this.logger = logger;
  }

  start(): void {
    if (this.indexes.isComplete()) return;
    this.logger.info('audit: indexing the records written before this version (search and charts read them directly meanwhile)');
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.step(), PAUSE_MS);
    this.timer.unref();
  }

  private step(): void {
    this.timer = undefined;
    try {
      const n = this.indexes.backfillStep(BACKFILL_STEP_ROWS);
      this.indexed += n;
      if (n > 0) {
        this.schedule();
        return;
      }
      this.logger.info('audit: records indexed', { count: this.indexed });
    } catch (error) {
      // Busy or failing database: try again later; queries stay correct by reading the rows.
      this.logger.warn('audit: indexing older records failed; retrying in a minute', { error: (error as Error).message });
      this.timer = setTimeout(() => this.step(), 60_000);
      this.timer.unref();
    }
  }
}
