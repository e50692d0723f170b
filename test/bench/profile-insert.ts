// Ad-hoc: a CPU profile of AuditStore.record under the insert bench's load.
//   node --cpu-prof --cpu-prof-dir=<dir> test/bench/profile-insert.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore, type AuditEntry, type AuditCompletion } from '../../main/audit/store.ts';
import { auditDbPath } from '../../main/audit/database.ts';
import { newRecordId } from '../../main/audit/record-id.ts';

const COMPLETION: AuditCompletion = {
  decision: 'allow', rule: 'default', source: 'user', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null,
  durationMs: 3.2, bytesIn: 180, bytesOut: 420,
};
const dir = mkdtempSync(join(tmpdir(), 'prof-insert-'));
const store = new AuditStore(auditDbPath(dir));
async function insertRows(count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const entry: AuditEntry = {
        id: newRecordId(), time: Date.now(), sessionId: 'bench-session', requestId: String(i), serverId: 'github', transport: 'socket',
        clientName: 'claude-desktop', clientVersion: '0.9.2', clientLabel: 'bridge', method: 'tools/call', target: 'create_issue',
        arguments: `{"repo":"acme/app","title":"issue ${i}"}`, argumentsTruncated: false, captureMode: 'redacted', osUser: 'dev', deviceId: 'device-1',
      };
      await store.record(entry, COMPLETION);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
await insertRows(5000, 64);
const n = Number(process.argv[2] ?? 200_000);
const cpu = process.cpuUsage();
await insertRows(n, 64);
store.settle();
const used = process.cpuUsage(cpu);
console.log(`${((used.user + used.system) / n).toFixed(2)} µs/insert CPU`);
store.close();
rmSync(dir, { recursive: true, force: true });
