// Ad-hoc A/B of the audit costs: CPU µs of one AuditStore.record row and of one interceptor call
// (30k each, 64 in flight) for the tree at <root>, e.g. a git worktree of an older commit.
// Alternate it with the current tree; this machine's noise is larger than most differences.
//   node test/bench/audit-ab.ts <root>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertRows } from './audit-rows.ts';
const root = process.argv[2]!;
const { AuditStore } = await import(`${root}/main/audit/store.ts`);
const { auditDbPath } = await import(`${root}/main/audit/database.ts`);
const { createAuditHarness, driveCalls } = await import(`${root}/test/support/audit-harness.ts`);
const dir = mkdtempSync(join(tmpdir(), 'ab-'));
const store = new AuditStore(auditDbPath(dir));
await insertRows(store, 3000, 64);
const n = 30000;
let c = process.cpuUsage(); await insertRows(store, n, 64); store.settle(); let u = process.cpuUsage(c);
const insert = (u.user + u.system) / n;
store.close();
const dir2 = mkdtempSync(join(tmpdir(), 'ab-'));
const h = createAuditHarness(dir2, 'redacted');
await driveCalls(h.interceptor, 3000, { concurrency: 64 });
c = process.cpuUsage(); await driveCalls(h.interceptor, n, { concurrency: 64 }); h.store.settle(); u = process.cpuUsage(c);
console.log(`insert ${insert.toFixed(2)} percall ${((u.user + u.system) / n).toFixed(2)}`);
h.close(); rmSync(dir, { recursive: true, force: true }); rmSync(dir2, { recursive: true, force: true });
