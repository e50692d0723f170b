// A full disk makes the audit store's merge fail on every retry (every 50 ms). The daemon logs that
// once, then a summary per interval, then once when it works again, instead of ~20 lines a second
// (issue 19, item 10). The disk is made full for real: SQLite's max_page_count gives SQLITE_FULL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditCompletion, AuditEntry } from '../../../main/audit/store.ts';
import { RepeatedFailureLog } from '../../../main/audit/repeated-failure-log.ts';
import type { Logger } from '../../../main/base/logger.ts';
import { Switchboard } from '../../../main/switchboard.ts';

function capturingLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => { lines.push({ level, message, ...(fields ? { fields } : {}) }); };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function entry(i: number): AuditEntry {
  return {
    id: `rec-${i}`, time: 1_700_000_000_000 + i, sessionId: 's', requestId: String(i), serverId: 'github', transport: 'socket', clientName: 'cursor',
    clientVersion: '1', clientLabel: 'bridge', method: 'tools/call', target: 'tool', arguments: 'x'.repeat(20_000), argumentsTruncated: false,
    captureMode: 'full', osUser: 'u', deviceId: 'd',
  };
}
const OK: AuditCompletion = {
  decision: 'allow', rule: 'default', source: 'user', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null,
  durationMs: 1, bytesIn: 1, bytesOut: 1,
};

describe('the audit store on a full disk, in the daemon', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-full-disk-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('logs the failing merge once while it fails again and again', async () => {
    const logger = capturingLogger();
    const switchboard = await Switchboard.start({ dataDir: dir, mode: 'headless', logger, httpPort: 0, managedPath: join(dir, 'no-managed-policy.json'), watchConfig: false });
    try {
      const store = switchboard.audit.store;
      // Finished calls are committed at once and indexed a moment later: fill the disk in between.
      const pages = store.db.pragma('page_count', { simple: true }) as number;
      await Promise.all([1, 2, 3].map((i) => store.record(entry(i), OK)));
      store.db.pragma(`max_page_count = ${pages + 1}`);
      let failures = 0;
      store.onMergeError(() => failures++);
      store.settle();
      while (failures < 20) await new Promise((resolve) => setTimeout(resolve, 20));
      const merged = logger.lines.filter((line) => line.message.startsWith('audit: indexing finished calls'));
      expect(merged).toHaveLength(1);
      expect(merged[0]).toMatchObject({ level: 'error' });
      expect(merged[0]!.fields?.error).toMatch(/SQLITE_FULL|full/);
      store.db.pragma('max_page_count = 1073741823');
    } finally {
      await switchboard.stop();
    }
  }, 30_000);
});

describe('RepeatedFailureLog', () => {
  afterEach(() => vi.useRealTimers());

  it('logs the start, one summary per interval while failures go on (every 70 ms here), and the recovery once', () => {
    vi.useFakeTimers();
    const logger = capturingLogger();
    const log = new RepeatedFailureLog(logger, 'audit: indexing finished calls', { intervalMs: 60_000 });
    const failEvery70ms = setInterval(() => log.failed(new Error('database or disk is full')), 70);
    log.failed(new Error('database or disk is full'));
    vi.advanceTimersByTime(59_000);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'audit: indexing finished calls failed; retrying, and logging a summary every 60 s while it goes on',
    ]);
    vi.advanceTimersByTime(61_000); // two intervals in all
    expect(logger.lines).toHaveLength(3);
    expect(logger.lines[1]).toMatchObject({ level: 'error', message: 'audit: indexing finished calls still failing', fields: { failures: 857, lastError: 'database or disk is full' } });
    clearInterval(failEvery70ms); // space freed
    vi.advanceTimersByTime(120_000);
    expect(logger.lines.slice(3).map((line) => [line.level, line.message])).toEqual([['info', 'audit: indexing finished calls works again (no failure in the last 60 s)']]);
    vi.advanceTimersByTime(600_000);
    expect(logger.lines).toHaveLength(4);
    log.failed(new Error('disk I/O error'));
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', fields: { error: 'disk I/O error' } });
    log.close();
  });
});
