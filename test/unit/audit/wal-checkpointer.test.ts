// The WAL checkpoint runs on a worker thread (its fsyncs would stall the event loop), the event loop
// then copies what was written meanwhile so that the WAL starts over, and a worker that cannot run
// hands the whole job back to the event loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalCheckpointer, type CheckpointCounts, type CheckpointResult } from '../../../main/audit/wal-checkpointer.ts';
import { AuditStore } from '../../../main/audit/store.ts';
import { auditDbPath } from '../../../main/audit/database.ts';

let dir: string;
let path: string;
let db: Database.Database;
let checkpointer: WalCheckpointer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
  path = join(dir, 'test.db');
  db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0'); // only the checkpointer copies frames here
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT)');
});
afterEach(() => {
  checkpointer?.close();
  checkpointer = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = () => db.prepare('INSERT INTO t (text) VALUES (?)').run('x'.repeat(200));
const checkpointHere = () => (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointCounts[])[0]!;
/** Frames in the WAL now (a PASSIVE checkpoint with nothing left to copy only counts them). */
const walFrames = () => checkpointHere().log;

function nextCheckpoint(subject: { onCheckpoint(listener: (result: CheckpointResult) => void): () => void }): Promise<CheckpointResult> {
  return new Promise((resolve) => {
    const stop = subject.onCheckpoint((result) => {
      stop();
      resolve(result);
    });
  });
}

describe('WalCheckpointer', () => {
  it('copies the WAL on a worker thread, then the frames written meanwhile on this one, so the WAL starts over', async () => {
    for (let i = 0; i < 300; i++) insert();
    checkpointer = new WalCheckpointer(path, { checkpointHere });
    const done = nextCheckpoint(checkpointer);
    let finished = false;
    void done.then(() => (finished = true));
    checkpointer.request();
    // The store keeps committing while the worker copies: so does this loop, until the result.
    let writtenMeanwhile = 0;
    while (!finished) {
      insert();
      writtenMeanwhile++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await done;

    expect(result.threadId).not.toBe(threadId);
    // PASSIVE copies what no commit running at the same time is still writing: at least the 300.
    expect(result.checkpointed).toBeGreaterThanOrEqual(300);
    expect(result.checkpointed).toBeLessThanOrEqual(result.log);
    expect(writtenMeanwhile).toBeGreaterThan(0);
    expect(result.catchUp).toBeDefined();
    expect(result.catchUp!.checkpointed).toBe(result.catchUp!.log);
    // Every frame is in the database file, so the next commit restarts the WAL from its beginning
    // instead of appending after the 300 and more frames already there.
    insert();
    expect(walFrames()).toBeLessThanOrEqual(4); // the pages of that one insert: a leaf, its parent on a split, page 1
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(301 + writtenMeanwhile);
  });

  it('checkpoints on this thread when the worker cannot start, and keeps doing so', async () => {
    for (let i = 0; i < 50; i++) insert();
    checkpointer = new WalCheckpointer(path, { checkpointHere, driver: join(dir, 'no-such-driver.js') });
    const first = nextCheckpoint(checkpointer);
    checkpointer.request();
    const result = await first;
    expect(result.threadId).toBe(threadId);
    expect(result.checkpointed).toBe(result.log);
    expect(result.log).toBeGreaterThanOrEqual(50);

    insert();
    let second: CheckpointResult | undefined;
    checkpointer.onCheckpoint((r) => (second = r));
    checkpointer.request();
    expect(second?.threadId).toBe(threadId); // at once: no worker to wait for
  });
});

describe('AuditStore checkpoints', () => {
  it('checkpoints after indexing, on a worker thread', async () => {
    const store = new AuditStore(auditDbPath(dir));
    try {
      const checkpointed = nextCheckpoint(store);
      for (let i = 0; i < 20; i++) {
        await store.record({
          id: `rec-${i}`, time: Date.now(), sessionId: 's', requestId: String(i), serverId: 'github', transport: 'socket', clientName: 'c',
          clientVersion: '1', clientLabel: 'bridge', method: 'tools/call', target: 'tool', arguments: '{}', argumentsTruncated: false,
          captureMode: 'full', osUser: 'u', deviceId: 'd',
        }, {
          decision: 'allow', rule: 'default', source: 'user', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null,
          durationMs: 1, bytesIn: 1, bytesOut: 1,
        });
      }
      store.settle();
      const result = await checkpointed;
      expect(result.threadId).not.toBe(threadId);
      expect(result.checkpointed).toBeGreaterThan(0);
      expect(result.catchUp!.checkpointed).toBe(result.catchUp!.log);
    } finally {
      store.close();
    }
  });
});
