// The inventory the forwarder reports so IT sees local servers: one log record per configured
// server. The daemon supplies the servers through InventoryProvider; tool descriptions travel
// only as SHA-256 hashes (enough to notice a change, nothing to leak); command arguments and
// URLs pass through the same credential redaction as audit arguments.
import { createHash } from 'node:crypto';
import { redactText } from '../audit/redact.ts';
import { INVENTORY_EVENT, int, str, type OtlpKeyValue, type OtlpLogRecord } from './otlp-logs.ts';

export interface InventoryTool {
  readonly name: string;
  readonly description?: string;
}

export interface InventoryServer {
  readonly id: string;
  readonly transport: string;
  readonly enabled: boolean;
  readonly command?: string;
  readonly args?: readonly string[];
  readonly url?: string;
  readonly registryName?: string;
  readonly package?: { readonly registryType: string; readonly identifier: string; readonly version?: string };
  /** Null when the tool list is not known yet (server never started). */
  readonly tools: readonly InventoryTool[] | null;
  /** What policy says about this server, e.g. "allowed", "denied by managed: …", "unknown". */
  readonly policyStatus: string;
  /** How the server runs: "bwrap network=none", "not sandboxed", "remote" (main/sandbox/sandbox-state.ts). */
  readonly sandbox?: string;
  /** The version it runs (its install record, or the package version of its command), when known. */
  readonly version?: string;
  /** Its lifecycle by policy and registry (main/lifecycle/): state, owner, message, latest version, replacement, sunset. */
  readonly lifecycle?: { readonly state: string; readonly owner?: string; readonly message?: string; readonly latestVersion?: string; readonly replacement?: string; readonly sunset?: string; readonly rule?: string; readonly source?: string };
}

export interface InventoryProvider {
  listServers(): Promise<readonly InventoryServer[]>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function strings(key: string, values: readonly string[], out: OtlpKeyValue[]): void {
  out.push({ key, value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } } });
}

export function inventoryLogRecord(server: InventoryServer, uid: string, now: number): OtlpLogRecord {
  const a: OtlpKeyValue[] = [];
  str('log.record.uid', uid, a);
  str('mcp_switchboard.server.id', server.id, a);
  str('mcp_switchboard.server.transport', server.transport, a);
  a.push({ key: 'mcp_switchboard.server.enabled', value: { boolValue: server.enabled } });
  str('mcp_switchboard.server.command', server.command === undefined ? undefined : redactText(server.command), a);
  if (server.args) strings('mcp_switchboard.server.args', server.args.map((arg) => redactText(arg)), a);
  str('url.full', server.url === undefined ? undefined : redactText(server.url), a);
  str('mcp_switchboard.server.registry_name', server.registryName, a);
  str('mcp_switchboard.package.registry_type', server.package?.registryType, a);
  str('mcp_switchboard.package.identifier', server.package?.identifier, a);
  str('mcp_switchboard.package.version', server.package?.version, a);
  str('mcp_switchboard.policy.status', server.policyStatus, a);
  str('mcp_switchboard.server.sandbox', server.sandbox, a);
  str('mcp_switchboard.server.version', server.version, a);
  str('mcp_switchboard.server.lifecycle.state', server.lifecycle?.state ?? 'active', a);
  str('mcp_switchboard.server.owner', server.lifecycle?.owner, a);
  str('mcp_switchboard.server.lifecycle.message', server.lifecycle?.message, a);
  str('mcp_switchboard.server.lifecycle.latest_version', server.lifecycle?.latestVersion, a);
  str('mcp_switchboard.server.lifecycle.replacement', server.lifecycle?.replacement, a);
  str('mcp_switchboard.server.lifecycle.sunset', server.lifecycle?.sunset, a);
  str('mcp_switchboard.server.lifecycle.rule', server.lifecycle?.rule === undefined ? undefined : `${server.lifecycle.source}: ${server.lifecycle.rule}`, a);
  if (server.tools) {
    int('mcp_switchboard.server.tool.count', server.tools.length, a);
    strings('mcp_switchboard.server.tool.names', server.tools.map((t) => t.name), a);
    strings('mcp_switchboard.server.tool.description_sha256', server.tools.map((t) => sha256(t.description ?? '')), a);
  }
  const nanos = `${Math.trunc(now)}000000`;
  return {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    severityNumber: 9,
    severityText: 'INFO',
    eventName: INVENTORY_EVENT,
    body: { stringValue: `MCP server ${server.id} (${server.transport})` },
    attributes: a,
  };
}
