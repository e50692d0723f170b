import { describe, expect, it } from 'vitest';
import { auditRowToLogRecord, auditRowToLogRecordJson } from '../../../main/forwarder/otlp-logs.ts';
import type { AuditRow } from '../../../main/audit/audit-queries.ts';

const row: AuditRow = {
  seq: 1, id: '0192f3a0-0000-7000-8000-000000000002', ts: 1_750_000_000_123, session_id: 's1', request_id: '7', server_id: 'deploy', transport: 'http',
  client_name: 'cursor', client_version: '1.2', client_label: 'cursor-token', method: 'tools/call', target: 'create', arguments: null,
  arguments_truncated: 0, capture_mode: 'none', decision: 'allow', rule: 'no rule matched', source: 'default', reason: null, approver: null,
  outcome: 'rate_limited', error_type: 'rate_limited', error_message: 'Refused', duration_ms: 0.1, bytes_in: 100, bytes_out: 200, os_user: 'dev', device_id: 'd',
  guard_rule: 'managed: agent-burst', replayed: 1, cache_hit: 0, delivery: 0,
};

describe('flow guardrail facts in the OTLP record', () => {
  it('carries the guard rule and the replay mark, in both serializers, and no cache mark when there was no hit', () => {
    const keys = Object.fromEntries(auditRowToLogRecord(row, 0).attributes.map((a) => [a.key, a.value]));
    expect(keys['mcp_switchboard.guard.rule']).toEqual({ stringValue: 'managed: agent-burst' });
    expect(keys['mcp_switchboard.replayed']).toEqual({ boolValue: true });
    expect(keys['mcp_switchboard.cache_hit']).toBeUndefined();
    expect(keys['mcp_switchboard.outcome']).toEqual({ stringValue: 'rate_limited' });
    expect(JSON.parse(auditRowToLogRecordJson(row, 0))).toEqual(JSON.parse(JSON.stringify(auditRowToLogRecord(row, 0))));
  });
});
