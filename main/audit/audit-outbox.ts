// The forwarder's view of the audit store: undelivered rows in insertion order, acknowledged
// only after the gateway's 2xx, a cap on the backlog that drops the oldest (and counts them), and
// rows the gateway refused permanently kept aside until the next start or config change.
import type Database from 'better-sqlite3';
import { AuditMeta, Delivery, type SqliteDatabase } from './database.ts';
import type { AuditRow } from './audit-queries.ts';

export const META_DROPPED_TOTAL = 'forwarder.dropped_total';
/** Dropped records not yet reported to the gateway (sent as a record of their own). */
export const META_DROPPED_UNREPORTED = 'forwarder.dropped_unreported';

export class AuditOutbox {
  readonly db: SqliteDatabase;
  readonly meta: AuditMeta;
  private readonly takeStmt: Database.Statement<[number, number], AuditRow>;
  private readonly markStmt: Database.Statement<[number, string, number]>;
  private readonly pendingStmt: Database.Statement<[], { n: number }>;
  private readonly failedStmt: Database.Statement<[], { n: number }>;
  private readonly beforeRead: () => void;

  /** `beforeRead` runs before rows are taken or counted: the daemon passes AuditStore.settle. */
  constructor(db: SqliteDatabase, options: { beforeRead?: () => void } = {}) {
    this.db = db;
    this.beforeRead = options.beforeRead ?? (() => undefined);
    this.meta = new AuditMeta(db);
    // INDEXED BY: once ANALYZE has statistics (PRAGMA optimize), SQLite prefers walking the rowid
    // from the start, over every delivered row, on each batch: a drain that slows as it goes.
    this.takeStmt = db.prepare(`SELECT * FROM audit_records INDEXED BY audit_outbox WHERE delivery = ${Delivery.Pending} AND seq > ? ORDER BY seq LIMIT ?`);
    // Only rows still pending change: a row pruned or dropped meanwhile stays as it is.
    // One statement per batch: the seqs travel as one JSON array.
    this.markStmt = db.prepare(`UPDATE audit_records SET delivery = ? WHERE seq IN (SELECT value FROM json_each(?)) AND delivery = ?`);
    this.pendingStmt = db.prepare(`SELECT count(*) AS n FROM audit_records INDEXED BY audit_outbox WHERE delivery = ${Delivery.Pending}`);
    this.failedStmt = db.prepare(`SELECT count(*) AS n FROM audit_records WHERE delivery = ${Delivery.Failed}`);
  }

  /** The next undelivered rows after `afterSeq`, oldest first. */
  take(limit: number, afterSeq = 0): AuditRow[] {
    this.beforeRead();
    return this.takeStmt.all(afterSeq, limit);
  }

  markDelivered(seqs: readonly number[]): void {
    this.mark(seqs, Delivery.Delivered);
  }

  /** The gateway refused these for good (4xx): keep them, out of the way, until retryFailed(). */
  markFailed(seqs: readonly number[]): void {
    this.mark(seqs, Delivery.Failed);
  }

  /** Puts permanently refused rows back in the queue (on start and when the gateway config changes). */
  retryFailed(): number {
    return this.db.prepare(`UPDATE audit_records SET delivery = ${Delivery.Pending} WHERE delivery = ${Delivery.Failed}`).run().changes;
  }

  pendingCount(): number {
    this.beforeRead();
    return this.pendingStmt.get()!.n;
  }

  failedCount(): number {
    return this.failedStmt.get()!.n;
  }

  /**
   * Keeps at most `cap` undelivered rows: the oldest beyond it are marked dropped (they stay in
   * the local store) and counted, in chunks so the relay is never blocked for long.
   */
  enforceCap(cap: number, chunk = 5000): number {
    const pending = this.pendingCount();
    let excess = pending - cap;
    let dropped = 0;
    while (excess > 0) {
      const n = Math.min(excess, chunk);
      const changes = this.db.transaction(() => {
        const changed = this.db.prepare(`UPDATE audit_records SET delivery = ${Delivery.Dropped} WHERE seq IN
          (SELECT seq FROM audit_records INDEXED BY audit_outbox WHERE delivery = ${Delivery.Pending} ORDER BY seq LIMIT ?)`).run(n).changes;
        this.addDropped(changed);
        return changed;
      })();
      if (changes === 0) break;
      dropped += changes;
      excess -= changes;
    }
    return dropped;
  }

  /** Counts records lost to the gateway (backlog cap, retention of undelivered rows). */
  addDropped(count: number): void {
    if (count <= 0) return;
    this.meta.add(META_DROPPED_TOTAL, count);
    this.meta.add(META_DROPPED_UNREPORTED, count);
  }

  droppedUnreported(): number {
    return this.meta.getNumber(META_DROPPED_UNREPORTED);
  }

  droppedTotal(): number {
    return this.meta.getNumber(META_DROPPED_TOTAL);
  }

  /** The gateway acknowledged a report of `count` dropped records. */
  acknowledgeDropped(count: number): void {
    this.meta.set(META_DROPPED_UNREPORTED, Math.max(0, this.droppedUnreported() - count));
  }

  private mark(seqs: readonly number[], state: number): void {
    if (seqs.length === 0) return;
    this.markStmt.run(state, JSON.stringify(seqs), Delivery.Pending);
  }
}
