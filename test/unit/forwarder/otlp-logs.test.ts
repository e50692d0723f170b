import { describe, expect, it } from 'vitest';
import { auditRowToLogRecord, auditRowToLogRecordJson, exportLogsRequest, exportLogsRequestJson, resourceAttributes } from '../../../main/forwarder/otlp-logs.ts';
import type { AuditRow } from '../../../main/audit/audit-queries.ts';

const row: AuditRow = {
  seq: 1, id: '0192f3a0-0000-7000-8000-000000000001', ts: 1_750_000_000_123, session_id: 's1', request_id: '7', server_id: 'github', transport: 'http',
  client_name: 'cursor', client_version: '1.2', client_label: 'cursor-token', method: 'tools/call', target: 'create_issue', arguments: '{"title":"a \\"quoted\\" ✓"}',
  arguments_truncated: 1, capture_mode: 'redacted', decision: 'ask', rule: 'ask github/*', source: 'managed', reason: null, approver: 'user:allow-once',
  outcome: 'tool_error', error_type: 'tool_error', error_message: 'line1\nline2', duration_ms: 12.345, bytes_in: 100, bytes_out: 2000, os_user: 'dev', device_id: 'd',
  delivery: 0,
};

describe('OTLP logs JSON', () => {
  it('the fast serializer writes exactly what the object builder does', () => {
    const resource = resourceAttributes({ deviceId: 'd', osUser: 'dev', hostName: 'h', serviceVersion: '0.1.0' });
    for (const r of [row, { ...row, method: 'resources/read', target: 'file:///x', transport: 'socket', duration_ms: null, arguments_truncated: 0 }, { ...row, method: 'prompts/get', outcome: 'ok' }]) {
      const fast = JSON.parse(exportLogsRequestJson(resource, '0.1.0', [auditRowToLogRecordJson(r, 1_750_000_001_000)]));
      expect(fast).toEqual(exportLogsRequest(resource, '0.1.0', [auditRowToLogRecord(r, 1_750_000_001_000)]));
    }
  });

  it('uses the semantic-convention names and nanosecond timestamps', () => {
    const record = auditRowToLogRecord(row, 1_750_000_001_000);
    const keys = Object.fromEntries(record.attributes.map((a) => [a.key, a.value]));
    expect(record.timeUnixNano).toBe('1750000000123000000');
    expect(keys['log.record.uid']).toEqual({ stringValue: row.id });
    expect(keys['gen_ai.tool.name']).toEqual({ stringValue: 'create_issue' });
    expect(keys['mcp.method.name']).toEqual({ stringValue: 'tools/call' });
    expect(keys['mcp.session.id']).toEqual({ stringValue: 's1' });
    expect(keys['error.type']).toEqual({ stringValue: 'tool_error' });
    expect(keys['mcp_switchboard.bytes_out']).toEqual({ intValue: '2000' });
    expect(record.severityText).toBe('WARN');
  });
});
