// Retention: deletes the oldest rows by age, by count and by database size, in chunks so the relay's
// writes interleave. Undelivered rows deleted here are counted as dropped (never silently lost)
// and the gateway is told how many. The file shrinks through incremental vacuum.
import { Delivery, type SqliteDatabase } from './database.ts';
import type { AuditOutbox } from './audit-outbox.ts';
import { AuditIndexes } from './audit-indexes.ts';

export interface RetentionPolicy {
  /** Delete rows older than this many ms. */
  readonly maxAgeMs?: number;
  /** Keep at most this many records (policy audit.maxRows): the oldest go first. */
  readonly maxRows?: number;
  /** Delete the oldest rows until the live data fits in this many bytes. */
  readonly maxBytes?: number;
}

export interface PruneResult {
  readonly deleted: number;
  readonly undeliveredDeleted: number;
}

export class AuditRetention {
  private readonly db: SqliteDatabase;
  private readonly outbox: AuditOutbox;
  private readonly chunk: number;
  private readonly indexes: AuditIndexes;

  constructor(db: SqliteDatabase, outbox: AuditOutbox, chunk = 5000) {
    this.db = db;
    this.indexes = new AuditIndexes(db);
    this.outbox = outbox;
    this.chunk = chunk;
  }

  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  prune(policy: RetentionPolicy, now = Date.now()): PruneResult {
    let deleted = 0;
    let undeliveredDeleted = 0;
    const step = (limitSql: string, params: unknown[], limit = this.chunk): number => this.db.transaction(() => {
      const bound = this.db.prepare(`SELECT max(seq) AS maxSeq, count(*) AS n FROM (SELECT seq FROM audit_records ${limitSql} ORDER BY seq LIMIT ?)`)
        .get(...params, limit) as { maxSeq: number | null; n: number };
      if (!bound.n || bound.maxSeq === null) return 0;
      const undelivered = (this.db.prepare(`SELECT count(*) AS n FROM audit_records WHERE seq <= ? AND delivery IN (${Delivery.Pending}, ${Delivery.Failed})`)
        .get(bound.maxSeq) as { n: number }).n;
      // With their full-text entries and rollup counts (audit-indexes.ts).
      const changes = this.indexes.deleteThrough(bound.maxSeq);
      this.outbox.addDropped(undelivered);
      undeliveredDeleted += undelivered;
      return changes;
    })();

    if (policy.maxAgeMs !== undefined) {
      const cutoff = now - policy.maxAgeMs;
      for (;;) {
        const changes = step('WHERE ts < ?', [cutoff]);
        deleted += changes;
        if (changes < this.chunk) break;
      }
    }
    if (policy.maxRows !== undefined) {
      let excess = (this.db.prepare('SELECT count(*) AS n FROM audit_records').get() as { n: number }).n - policy.maxRows;
      while (excess > 0) {
        const changes = step('', [], Math.min(this.chunk, excess));
        if (changes === 0) break;
        deleted += changes;
        excess -= changes;
      }
    }
    if (policy.maxBytes !== undefined) {
      while (this.usedBytes() > policy.maxBytes) {
        const changes = step('', []);
        if (changes === 0) break;
        deleted += changes;
      }
    }
    if (deleted > 0) this.db.pragma('incremental_vacuum');
    return { deleted, undeliveredDeleted };
  }
}
