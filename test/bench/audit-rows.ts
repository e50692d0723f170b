// The rows the audit insert benchmarks write: one complete record per call of AuditStore.record.
import type { AuditCompletion, AuditEntry, AuditStore } from '../../main/audit/store.ts';
import { newRecordId } from '../../main/audit/record-id.ts';

export const BENCH_COMPLETION: AuditCompletion = {
  decision: 'allow', rule: 'default', source: 'user', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null,
  durationMs: 3.2, bytesIn: 180, bytesOut: 420,
};

/** Writes `count` complete rows through AuditStore.record, `concurrency` awaiting at a time. */
export async function insertRows(store: Pick<AuditStore, 'record'>, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const entry: AuditEntry = {
        id: newRecordId(), time: Date.now(), sessionId: 'bench-session', requestId: String(i), serverId: 'github', transport: 'socket',
        clientName: 'claude-desktop', clientVersion: '0.9.2', clientLabel: 'bridge', method: 'tools/call', target: 'create_issue',
        arguments: `{"repo":"acme/app","title":"issue ${i}"}`, argumentsTruncated: false, captureMode: 'redacted', osUser: 'dev', deviceId: 'device-1',
      };
      await store.record(entry, BENCH_COMPLETION);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
