// Ad-hoc A/B of the audit costs: CPU µs of one AuditStore.record row and of one interceptor call
// (30k each, 64 in flight) for the tree at <root>, e.g. a git worktree of an older commit.
// Alternate it with the current tree; this machine's noise is larger than most differences.
//   node test/bench/audit-ab.ts <root>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const root = process.argv[2]!;
const { AuditStore } = await import(`${root}/main/audit/store.ts`);
const { auditDbPath } = await import(`${root}/main/audit/database.ts`);
const { newRecordId } = await import(`${root}/main/audit/record-id.ts`);
const { createAuditHarness, driveCalls } = await import(`${root}/test/support/audit-harness.ts`);
const COMPLETION = { decision: 'allow', rule: 'default', source: 'user', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null, durationMs: 3.2, bytesIn: 180, bytesOut: 420 };
const dir = mkdtempSync(join(tmpdir(), 'ab-'));
const store = new AuditStore(auditDbPath(dir));
async function insertRows(count: number): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < count) { const i = next++;
    await store.record({ id: newRecordId(), time: Date.now(), sessionId: 'bench-session', requestId: String(i), serverId: 'github', transport: 'socket',
      clientName: 'claude-desktop', clientVersion: '0.9.2', clientLabel: 'bridge', method: 'tools/call', target: 'create_issue',
      arguments: `{"repo":"acme/app","title":"issue ${i}"}`, argumentsTruncated: false, captureMode: 'redacted', osUser: 'dev', deviceId: 'device-1' }, COMPLETION); } };
  await Promise.all(Array.from({ length: 64 }, worker));
}
await insertRows(3000);
const n = 30000;
let c = process.cpuUsage(); await insertRows(n); store.settle(); let u = process.cpuUsage(c);
const insert = (u.user + u.system) / n;
store.close();
const dir2 = mkdtempSync(join(tmpdir(), 'ab-'));
const h = createAuditHarness(dir2, 'redacted');
await driveCalls(h.interceptor, 3000, { concurrency: 64 });
c = process.cpuUsage(); await driveCalls(h.interceptor, n, { concurrency: 64 }); h.store.settle(); u = process.cpuUsage(c);
console.log(`insert ${insert.toFixed(2)} percall ${((u.user + u.system) / n).toFixed(2)}`);
h.close(); rmSync(dir, { recursive: true, force: true }); rmSync(dir2, { recursive: true, force: true });
