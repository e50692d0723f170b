// Ad-hoc: what one SQLite commit costs on this machine, in the audit database's settings (WAL,
// synchronous=NORMAL): an empty transaction, one row, and rows in one, two and three tables (each
// table's page is one more WAL frame to write). The floor under any per-call audit write.
//   node test/bench/sqlite-commit.ts
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-commit-'));
const db = new Database(join(dir, 'commit.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 20000');
db.exec('CREATE TABLE a (seq INTEGER PRIMARY KEY, x TEXT); CREATE TABLE b (seq INTEGER PRIMARY KEY, x TEXT); CREATE TABLE c (seq INTEGER PRIMARY KEY, x TEXT)');
const insert = ['a', 'b', 'c'].map((table) => db.prepare(`INSERT INTO ${table} (x) VALUES (?)`));
const row = 'x'.repeat(150);

function measure(name: string, transaction: () => void, times = 20_000): void {
  for (let i = 0; i < 2000; i++) transaction();
  const cpu = process.cpuUsage();
  for (let i = 0; i < times; i++) transaction();
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(40)} ${((used.user + used.system) / times).toFixed(1).padStart(6)} µs CPU per commit (system ${(used.system / times).toFixed(1)})`);
  db.pragma('wal_checkpoint(TRUNCATE)');
}

measure('empty transaction', db.transaction(() => {}));
measure('1 row, 1 table (one page)', db.transaction(() => insert[0]!.run(row)));
measure('4 rows, 1 table (one page)', db.transaction(() => { for (let i = 0; i < 4; i++) insert[0]!.run(row); }));
measure('4 rows in each of 2 tables (two pages)', db.transaction(() => { for (let i = 0; i < 4; i++) { insert[0]!.run(row); insert[1]!.run(row); } }));
measure('4 rows in each of 3 tables (three pages)', db.transaction(() => { for (let i = 0; i < 4; i++) for (const statement of insert) statement.run(row); }));
db.close();
rmSync(dir, { recursive: true, force: true });
