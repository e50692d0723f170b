import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTime, registerAuditCommands } from '../../../main/cli/audit.ts';
import { createAuditHarness, driveCalls, type AuditHarness } from '../../support/audit-harness.ts';

let dir: string;
let harness: AuditHarness;

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

async function run(args: string[]): Promise<string> {
  const stdout = new Collect();
  const program = new Command('switchboard').exitOverride();
  registerAuditCommands(program, { dataDir: dir, stdout });
  await program.parseAsync(['node', 'switchboard', ...args]);
  return stdout.text;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
  harness = createAuditHarness(dir);
  await driveCalls(harness.interceptor, 30, { call: (i) => ({ name: i % 3 === 0 ? 'delete_repo' : 'create_issue', arguments: { title: `t${i}`, note: 'has, "comma"\nnewline' } }) });
});
afterEach(() => {
  harness.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard audit', () => {
  it('lists filtered records as a table or JSON while the writer keeps the database open', async () => {
    const page = JSON.parse(await run(['audit', 'list', '--json', '--tool', 'delete_repo', '--limit', '4', '--since', '1h']));
    expect(page.records).toHaveLength(4);
    expect(page.records.every((r: { target: string }) => r.target === 'delete_repo')).toBe(true);
    expect(page.nextCursor).toBe(page.records[3].id);
    const next = JSON.parse(await run(['audit', 'list', '--json', '--tool', 'delete_repo', '--cursor', page.nextCursor]));
    expect(next.records).toHaveLength(6);
    const table = await run(['audit', 'list', '--server', 'github', '--limit', '3']);
    expect(table.split('\n')[0]).toMatch(/^TIME \(UTC\)\s+SERVER\s+METHOD\s+TARGET\s+OUTCOME/);
    expect(table.trim().split('\n')).toHaveLength(4);
  });

  it('exports every record as JSON lines or CSV, oldest first', async () => {
    const lines = (await run(['audit', 'export', '--format', 'jsonl'])).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(30);
    expect(lines.map((r) => Number(r.requestId))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const csv = await run(['audit', 'export', '--format', 'csv', '--tool', 'create_issue']);
    expect(csv.startsWith('id,time,sessionId,requestId,serverId')).toBe(true);
    expect(csv).toContain('""note"":""has, ');
    expect(csv.split('\n').filter((l) => l.startsWith('0')).length).toBe(20);
  });

  it('prints stats and explains a missing database', async () => {
    const stats = JSON.parse(await run(['audit', 'stats', '--by', 'tool', '--json']));
    expect(stats.map((r: { tool: string; count: number }) => `${r.tool}:${r.count}`).sort()).toEqual(['create_issue:20', 'delete_repo:10']);
    const empty = mkdtempSync(join(tmpdir(), 'audit-cli-empty-'));
    const program = new Command('switchboard').exitOverride();
    registerAuditCommands(program, { dataDir: empty, stdout: new Collect() });
    await expect(program.parseAsync(['node', 'switchboard', 'audit', 'list'])).rejects.toThrow(/no audit records yet/);
    rmSync(empty, { recursive: true, force: true });
  });

  it('retry explains that it needs the running daemon', async () => {
    await expect(run(['audit', 'retry'])).rejects.toThrow(/the daemon is not running .*switchboard serve/);
  });

  it('reads relative and absolute times', () => {
    expect(parseTime('2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseTime('2026-11-23T09:00:00Z')).toBe(Date.parse('2026-11-23T09:00:00Z'));
    expect(() => parseTime('yesterday')).toThrow(/ISO date/);
  });
});
