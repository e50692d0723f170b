// Audit rows as an OTLP/HTTP JSON logs request (ExportLogsServiceRequest, JSON encoding of
// opentelemetry-proto). Built here rather than through @opentelemetry/otlp-transformer: its
// serializer takes SDK ReadableLogRecord objects (Resource, InstrumentationScope, hrtime tuples),
// so every row would first become an SDK object and then a second object tree, and the package's
// API is 0.x and shifts between releases. The JSON shape itself is small and stable; the
// integration tests parse what the gateway receives.
//
// Attribute names follow the OpenTelemetry MCP and GenAI semantic conventions where they exist
// (mcp.method.name, mcp.session.id, mcp.resource.uri, jsonrpc.request.id, gen_ai.tool.name,
// gen_ai.prompt.name, gen_ai.operation.name, gen_ai.tool.call.arguments, error.type,
// network.transport, log.record.uid); the rest are namespaced `mcp_switchboard.*`.
import type { AuditRow } from '../audit/audit-queries.ts';

export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } };
export interface OtlpKeyValue { key: string; value: OtlpAnyValue }

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  eventName: string;
  /** The proxy span of the call, when tracing was on (hex). */
  traceId?: string;
  spanId?: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
}

export interface ResourceIdentity {
  readonly deviceId: string;
  readonly osUser: string;
  readonly hostName: string;
  readonly serviceVersion: string;
}

export const SCOPE_NAME = 'mcp-switchboard.audit';
export const AUDIT_EVENT = 'mcp_switchboard.audit.call';
export const DROPPED_EVENT = 'mcp_switchboard.audit.dropped';
export const INVENTORY_EVENT = 'mcp_switchboard.inventory.server';

const SEVERITY_INFO = 9;
const SEVERITY_WARN = 13;

export function str(key: string, value: string | null | undefined, out: OtlpKeyValue[]): void {
  if (value !== null && value !== undefined) out.push({ key, value: { stringValue: value } });
}
export function int(key: string, value: number | null | undefined, out: OtlpKeyValue[]): void {
  if (value !== null && value !== undefined) out.push({ key, value: { intValue: String(Math.trunc(value)) } });
}
function dbl(key: string, value: number | null | undefined, out: OtlpKeyValue[]): void {
  if (value !== null && value !== undefined) out.push({ key, value: { doubleValue: value } });
}

const HEX_ID = /^[0-9a-f]+$/;

/** `"traceId":…,"spanId":…,` of a row written with tracing on (ids from our own spans, checked anyway). */
function traceIds(row: AuditRow): string {
  const { trace_id: traceId, span_id: spanId } = row;
  return traceId && spanId && HEX_ID.test(traceId) && HEX_ID.test(spanId) ? `"traceId":"${traceId}","spanId":"${spanId}",` : '';
}

function nanos(ms: number): string {
  return `${Math.trunc(ms)}000000`;
}

export function auditRowToLogRecord(row: AuditRow, observedAt: number): OtlpLogRecord {
  const a: OtlpKeyValue[] = [];
  str('log.record.uid', row.id, a);
  str('mcp.method.name', row.method, a);
  str('mcp.session.id', row.session_id, a);
  str('jsonrpc.request.id', row.request_id, a);
  if (row.method === 'tools/call') {
    str('gen_ai.operation.name', 'execute_tool', a);
    str('gen_ai.tool.name', row.target, a);
    str('gen_ai.tool.call.arguments', row.arguments, a);
  } else if (row.method === 'prompts/get') {
    str('gen_ai.prompt.name', row.target, a);
    str('mcp_switchboard.prompt.arguments', row.arguments, a);
  } else if (row.method === 'resources/read') {
    str('mcp.resource.uri', row.target, a);
  } else {
    str('mcp_switchboard.target', row.target, a);
  }
  if (row.transport === 'socket') str('network.transport', 'unix', a);
  else if (row.transport === 'http') { str('network.transport', 'tcp', a); str('network.protocol.name', 'http', a); }
  str('error.type', row.error_type, a);
  str('error.message', row.error_message, a);
  str('mcp_switchboard.server.id', row.server_id, a);
  str('mcp_switchboard.client.name', row.client_name, a);
  str('mcp_switchboard.client.version', row.client_version, a);
  str('mcp_switchboard.client.label', row.client_label, a);
  str('mcp_switchboard.outcome', row.outcome, a);
  str('mcp_switchboard.decision', row.decision, a);
  str('mcp_switchboard.decision.rule', row.rule, a);
  str('mcp_switchboard.decision.source', row.source, a);
  str('mcp_switchboard.decision.reason', row.reason, a);
  str('mcp_switchboard.approver', row.approver, a);
  str('mcp_switchboard.server.sandbox', row.sandbox, a);
  str('mcp_switchboard.server.lifecycle.state', row.lifecycle_state, a);
  str('mcp_switchboard.server.lifecycle.message', row.lifecycle_message, a);
  str('mcp_switchboard.server.lifecycle.latest_version', row.lifecycle_latest_version, a);
  str('mcp_switchboard.server.lifecycle.replacement', row.lifecycle_replacement, a);
  str('mcp_switchboard.guardrail.rule', row.guardrail_rule, a);
  str('mcp_switchboard.guardrail.detectors', row.detectors, a);
  str('mcp_switchboard.guardrail.flags', row.guardrail_flags, a);
  int('mcp_switchboard.est_tokens_in', row.est_tokens_in, a);
  int('mcp_switchboard.est_tokens_out', row.est_tokens_out, a);
  str('mcp_switchboard.guard.rule', row.guard_rule, a);
  if (row.replayed === 1) a.push({ key: 'mcp_switchboard.replayed', value: { boolValue: true } });
  if (row.cache_hit === 1) a.push({ key: 'mcp_switchboard.cache_hit', value: { boolValue: true } });
  str('mcp_switchboard.profile', row.profile, a);
  str('mcp_switchboard.arguments.capture', row.capture_mode, a);
  if (row.arguments_truncated) a.push({ key: 'mcp_switchboard.arguments.truncated', value: { boolValue: true } });
  dbl('mcp_switchboard.duration_ms', row.duration_ms, a);
  int('mcp_switchboard.bytes_in', row.bytes_in, a);
  int('mcp_switchboard.bytes_out', row.bytes_out, a);
  const warn = row.outcome !== 'ok';
  return {
    timeUnixNano: nanos(row.ts),
    observedTimeUnixNano: nanos(observedAt),
    severityNumber: warn ? SEVERITY_WARN : SEVERITY_INFO,
    severityText: warn ? 'WARN' : 'INFO',
    eventName: AUDIT_EVENT,
    ...(row.trace_id && row.span_id ? { traceId: row.trace_id, spanId: row.span_id } : {}),
    body: { stringValue: `${row.method} ${row.server_id}${row.target ? `/${row.target}` : ''}: ${row.outcome}` },
    attributes: a,
  };
}

/**
 * The same log record as auditRowToLogRecord, written straight to JSON text: the drain path
 * serializes every row, and skipping the intermediate object tree and the generic stringify
 * roughly halves its cost (test/unit/forwarder/otlp-logs.test.ts checks both give the same JSON).
 */
export function auditRowToLogRecordJson(row: AuditRow, observedAt: number): string {
  let a = '';
  const s = (key: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined) a += `,{"key":"${key}","value":{"stringValue":${JSON.stringify(value)}}}`;
  };
  const i = (key: string, value: number | null | undefined): void => {
    if (value !== null && value !== undefined) a += `,{"key":"${key}","value":{"intValue":"${Math.trunc(value)}"}}`;
  };
  s('log.record.uid', row.id);
  s('mcp.method.name', row.method);
  s('mcp.session.id', row.session_id);
  s('jsonrpc.request.id', row.request_id);
  if (row.method === 'tools/call') {
    s('gen_ai.operation.name', 'execute_tool');
    s('gen_ai.tool.name', row.target);
    s('gen_ai.tool.call.arguments', row.arguments);
  } else if (row.method === 'prompts/get') {
    s('gen_ai.prompt.name', row.target);
    s('mcp_switchboard.prompt.arguments', row.arguments);
  } else if (row.method === 'resources/read') {
    s('mcp.resource.uri', row.target);
  } else {
    s('mcp_switchboard.target', row.target);
  }
  if (row.transport === 'socket') s('network.transport', 'unix');
  else if (row.transport === 'http') { s('network.transport', 'tcp'); s('network.protocol.name', 'http'); }
  s('error.type', row.error_type);
  s('error.message', row.error_message);
  s('mcp_switchboard.server.id', row.server_id);
  s('mcp_switchboard.client.name', row.client_name);
  s('mcp_switchboard.client.version', row.client_version);
  s('mcp_switchboard.client.label', row.client_label);
  s('mcp_switchboard.outcome', row.outcome);
  s('mcp_switchboard.decision', row.decision);
  s('mcp_switchboard.decision.rule', row.rule);
  s('mcp_switchboard.decision.source', row.source);
  s('mcp_switchboard.decision.reason', row.reason);
  s('mcp_switchboard.approver', row.approver);
  s('mcp_switchboard.server.sandbox', row.sandbox);
  s('mcp_switchboard.server.lifecycle.state', row.lifecycle_state);
  s('mcp_switchboard.server.lifecycle.message', row.lifecycle_message);
  s('mcp_switchboard.server.lifecycle.latest_version', row.lifecycle_latest_version);
  s('mcp_switchboard.server.lifecycle.replacement', row.lifecycle_replacement);
  s('mcp_switchboard.guardrail.rule', row.guardrail_rule);
  s('mcp_switchboard.guardrail.detectors', row.detectors);
  s('mcp_switchboard.guardrail.flags', row.guardrail_flags);
  i('mcp_switchboard.est_tokens_in', row.est_tokens_in);
  i('mcp_switchboard.est_tokens_out', row.est_tokens_out);
  s('mcp_switchboard.guard.rule', row.guard_rule);
  if (row.replayed === 1) a += ',{"key":"mcp_switchboard.replayed","value":{"boolValue":true}}';
  if (row.cache_hit === 1) a += ',{"key":"mcp_switchboard.cache_hit","value":{"boolValue":true}}';
  s('mcp_switchboard.profile', row.profile);
  s('mcp_switchboard.arguments.capture', row.capture_mode);
  if (row.arguments_truncated) a += ',{"key":"mcp_switchboard.arguments.truncated","value":{"boolValue":true}}';
  if (row.duration_ms !== null && row.duration_ms !== undefined) a += `,{"key":"mcp_switchboard.duration_ms","value":{"doubleValue":${row.duration_ms}}}`;
  i('mcp_switchboard.bytes_in', row.bytes_in);
  i('mcp_switchboard.bytes_out', row.bytes_out);
  const warn = row.outcome !== 'ok';
  const body = JSON.stringify(`${row.method} ${row.server_id}${row.target ? `/${row.target}` : ''}: ${row.outcome}`);
  return `{"timeUnixNano":"${nanos(row.ts)}","observedTimeUnixNano":"${nanos(observedAt)}","severityNumber":${warn ? SEVERITY_WARN : SEVERITY_INFO},"severityText":"${warn ? 'WARN' : 'INFO'}","eventName":"${AUDIT_EVENT}",${traceIds(row)}"body":{"stringValue":${body}},"attributes":[${a.slice(1)}]}`;
}

/** An ExportLogsServiceRequest as JSON text from already-serialized log records. */
export function exportLogsRequestJson(resource: OtlpKeyValue[], serviceVersion: string, logRecordsJson: readonly string[]): string {
  const scope = JSON.stringify({ name: SCOPE_NAME, version: serviceVersion });
  const resourceJson = JSON.stringify({ attributes: resource });
  return `{"resourceLogs":[{"resource":${resourceJson},"scopeLogs":[{"scope":${scope},"logRecords":[${logRecordsJson.join(',')}]}]}]}`;
}

export function droppedLogRecord(count: number, id: string, now: number): OtlpLogRecord {
  const a: OtlpKeyValue[] = [];
  str('log.record.uid', id, a);
  int('mcp_switchboard.dropped.count', count, a);
  return {
    timeUnixNano: nanos(now),
    observedTimeUnixNano: nanos(now),
    severityNumber: SEVERITY_WARN,
    severityText: 'WARN',
    eventName: DROPPED_EVENT,
    body: { stringValue: `${count} audit records were dropped before delivery (backlog cap or retention)` },
    attributes: a,
  };
}

export function resourceAttributes(identity: ResourceIdentity): OtlpKeyValue[] {
  const a: OtlpKeyValue[] = [];
  str('service.name', 'mcp-switchboard', a);
  str('service.version', identity.serviceVersion, a);
  str('host.name', identity.hostName, a);
  str('host.id', identity.deviceId, a);
  str('mcp_switchboard.device.id', identity.deviceId, a);
  str('user.name', identity.osUser, a);
  return a;
}

/** One ExportLogsServiceRequest for one resource (this machine) and one scope. */
export function exportLogsRequest(resource: OtlpKeyValue[], serviceVersion: string, logRecords: OtlpLogRecord[]): unknown {
  return {
    resourceLogs: [{
      resource: { attributes: resource },
      scopeLogs: [{ scope: { name: SCOPE_NAME, version: serviceVersion }, logRecords }],
    }],
  };
}
