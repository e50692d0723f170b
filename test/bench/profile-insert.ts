// Ad-hoc: a CPU profile of AuditStore.record under the insert bench's load.
//   node --cpu-prof --cpu-prof-dir=<dir> test/bench/profile-insert.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '../../main/audit/store.ts';
import { auditDbPath } from '../../main/audit/database.ts';
import { insertRows } from './audit-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'prof-insert-'));
const store = new AuditStore(auditDbPath(dir));
await insertRows(store, 5000, 64);
const n = Number(process.argv[2] ?? 200_000);
const cpu = process.cpuUsage();
await insertRows(store, n, 64);
store.settle();
const used = process.cpuUsage(cpu);
console.log(`${((used.user + used.system) / n).toFixed(2)} µs/insert CPU`);
store.close();
rmSync(dir, { recursive: true, force: true });
