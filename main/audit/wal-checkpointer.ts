// Copies the audit database's WAL into the database file, the bulk of it on a worker thread. A
// checkpoint ends in fsync()s of the WAL and of the database file, which take tens to hundreds of
// milliseconds on a busy disk; run on the event loop they stalled every session's traffic once a
// second (47–94 ms each, measured under bench load). A PASSIVE checkpoint from a connection of its
// own neither blocks the store's commits nor waits for readers.
//
// The worker cannot finish the job alone: SQLite starts the WAL over from its beginning only when
// a writer finds every frame already in the database file, and the store keeps writing while the
// worker copies. So when the worker is done, the event loop copies the few frames written
// meanwhile (a short checkpoint: 3–16 ms measured, against 47–94), and the next commit restarts
// the WAL instead of letting it grow for as long as calls keep coming.
//
// When the worker cannot run (it failed to start, or died), whole checkpoints go back to the event
// loop: they are housekeeping, never a reason to stop recording calls.
import { createRequire } from 'node:module';
import { threadId as currentThreadId, Worker } from 'node:worker_threads';

/** What SQLite's wal_checkpoint(PASSIVE) answers. */
export interface CheckpointCounts {
  /** 1 when a writer or a reader was in the way. */
  readonly busy: number;
  /** Frames in the WAL, and how many of them are now in the database file. */
  readonly log: number;
  readonly checkpointed: number;
}

export interface CheckpointResult extends CheckpointCounts {
  /** The thread that did the bulk of the copy: the worker's, or this one's when the worker could not run. */
  readonly threadId: number;
  /** The event loop's copy of what was written while the worker ran. */
  readonly catchUp?: CheckpointCounts;
}

export interface WalCheckpointerOptions {
  /** A checkpoint on this thread's connection (the catch-up, and the whole job when the worker cannot run). */
  readonly checkpointHere: () => CheckpointCounts;
  /** The better-sqlite3 module the worker loads (tests give a broken one). */
  readonly driver?: string;
}

// Plain CommonJS, so the worker needs no TypeScript loader and no file of its own next to the build.
const WORKER_SOURCE = `
const { parentPort, workerData, threadId } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ ok: true, result: { busy: row.busy, log: row.log, checkpointed: row.checkpointed, threadId } });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
  }
});
`;

type WorkerReply = { ok: true; result: CheckpointResult } | { ok: false; error: string };

export class WalCheckpointer {
  private readonly path: string;
  private readonly options: WalCheckpointerOptions;
  private worker: Worker | undefined;
  private workerFailed = false;
  private running = false;
  private closed = false;
  private readonly listeners = new Set<(result: CheckpointResult) => void>();

  constructor(path: string, options: WalCheckpointerOptions) {
    this.path = path;
    this.options = options;
  }

  /** Starts a checkpoint unless one is still running; returns at once. */
  request(): void {
    if (this.running || this.closed) return;
    if (this.workerFailed) {
      const counts = this.checkpointHere();
      if (counts) this.notify({ ...counts, threadId: currentThreadId });
      return;
    }
    let worker: Worker;
    try {
      worker = this.worker ?? this.startWorker();
    } catch {
      this.workerFailed = true; // no worker threads here: the event loop it is
      this.request();
      return;
    }
    this.running = true;
    worker.postMessage('checkpoint');
  }

  /** Each finished checkpoint (tests, diagnostics). */
  onCheckpoint(listener: (result: CheckpointResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lets the worker close its connection and end; does not wait for it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker?.postMessage('close');
  }

  private startWorker(): Worker {
    const driver = this.options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: this.path } });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      this.running = false;
      // A failed checkpoint loses nothing: the rows are in the WAL, and the next one copies them.
      if (!reply.ok || this.closed) return;
      const catchUp = this.checkpointHere();
      this.notify(catchUp ? { ...reply.result, catchUp } : reply.result);
    });
    worker.on('error', () => this.workerGone(worker));
    worker.on('exit', () => this.workerGone(worker));
    this.worker = worker;
    return worker;
  }

  private workerGone(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.closed) return;
    this.workerFailed = true;
    if (this.running) {
      this.running = false;
      this.request();
    }
  }

  private checkpointHere(): CheckpointCounts | undefined {
    try {
      return this.options.checkpointHere();
    } catch {
      return undefined; // as in the worker: the next checkpoint copies what this one could not
    }
  }

  private notify(result: CheckpointResult): void {
    for (const listener of this.listeners) listener(result);
  }
}
