// What a client gets when a flow guardrail (rate limit, open breaker, idempotency conflict) stops a
// call: for tools/call a tool error the model reads, naming the rule and when to retry, marked in
// `_meta` like policy refusals; for the other methods a JSON-RPC error with the same facts in `data`.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { REFUSAL_META_KEY, type RelayResponse, type SessionInfo } from '../relay/interceptor.ts';
import type { NamedRule } from './flow-policy.ts';

export interface FlowRefusal {
  readonly rule: NamedRule;
  /** JSON-RPC error code (main/base/proxy-error-codes.ts). */
  readonly code: number;
  /** The sentence after "Refused by MCP Switchboard (<rule>): ". */
  readonly reason: string;
  readonly retryAfterMs?: number;
}

export function refuse(request: JSONRPCRequest, refusal: FlowRefusal): RelayResponse {
  const retry = refusal.retryAfterMs === undefined ? {} : { retryAfterMs: refusal.retryAfterMs };
  const text = `Refused by MCP Switchboard (${refusal.rule.label}): ${refusal.reason}${refusal.retryAfterMs === undefined ? '' : ` Retry after ${retryAfterSeconds(refusal.retryAfterMs)} s.`}`;
  const data = { rule: refusal.rule.name, source: refusal.rule.source, ...retry };
  if (request.method === 'tools/call') {
    return { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text }], isError: true, _meta: { [REFUSAL_META_KEY]: data } } };
  }
  return { jsonrpc: '2.0', id: request.id, error: { code: refusal.code, message: text, data } };
}

/** Whole seconds, at least 1: what a Retry-After header would say. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Who is calling, the same across reconnects: the client's name from initialize, the token label
 * ("bridge" for the socket) and the transport. Not the session id, which a reconnect changes.
 */
export function clientIdentity(session: SessionInfo): string {
  const name = session.client?.name ?? '(unnamed client)';
  const known = identities.get(session);
  // The same string object for every call of a session: maps keyed on it hash it once.
  if (known?.name === name) return known.identity;
  const identity = `${name}\u0000${session.clientLabel}\u0000${session.transport}`;
  identities.set(session, { name, identity });
  return identity;
}

const identities = new WeakMap<SessionInfo, { name: string; identity: string }>();

/**
 * The tool, prompt or resource a call is for, as "<server>/<name>" (what the rules' globs match).
 * The flow links ask one after the other for the same request: the last answer is kept, so they
 * share one string (joined and hashed once) instead of each building its own.
 */
export function callTarget(request: JSONRPCRequest, serverId: string): string {
  if (request === lastTarget.request && serverId === lastTarget.serverId) return lastTarget.target;
  const params = (request.params ?? {}) as { name?: unknown; uri?: unknown };
  const name = request.method === 'resources/read' ? params.uri : params.name;
  const target = `${serverId}/${typeof name === 'string' ? name : ''}`;
  lastTarget = { request, serverId, target };
  return target;
}

let lastTarget: { request: JSONRPCRequest | undefined; serverId: string; target: string } = { request: undefined, serverId: '', target: '' };
