// The contract between the relay and the services that act on the few messages that matter
// (policy, approvals, pinning, audit). Everything else passes through the relay untouched.
import type {
  JSONRPCErrorResponse,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerLifecycle } from '../../shared/lifecycle-policy.ts';

/** socket: `switchboard bridge`; http: Streamable HTTP; in-process: the daemon's own UI and CLI calls. */
export type ClientTransportKind = 'socket' | 'http' | 'in-process';

/** Who is on the other end of one client session. Filled in as the session learns it. */
export interface SessionInfo {
  readonly sessionId: string;
  readonly serverId: string;
  readonly transport: ClientTransportKind;
  /** From the client's `initialize` (clientInfo); undefined until then. */
  client?: { name: string; version: string };
  /** The HTTP bearer token's name, "bridge" for the local socket, or the in-process caller ("ui", "cli"). */
  readonly clientLabel: string;
  /** The protocol version the server answered initialize with; undefined until then. */
  protocolVersion?: string;
  /** The profile of a federated session (/mcp, `bridge --profile`) this server session serves; undefined on a server's own endpoint. */
  readonly profile?: string;
}

/** How a decision was reached; the UI, the audit record and the client's error all carry it. */
export interface Decision {
  readonly action: 'allow' | 'deny' | 'ask';
  /** Rule id or description, e.g. "deny github/delete_*". */
  readonly rule: string;
  /** Who made the decision, as the deciding interceptor names it (policy: managed, org, user, …). */
  readonly source: string;
  readonly reason?: string;
}

/** Per-request scratchpad that interceptors share: policy writes the decision, audit reads it. */
export interface CallContext {
  readonly session: SessionInfo;
  readonly request: JSONRPCRequest;
  /**
   * The request as the previous link passed it on, set by the relay before each interceptor runs:
   * another than `request` when a link changed it (redacted arguments) or sent its own (the policy
   * link listing a session's tools for a call). Read it on entry: inner links overwrite it.
   */
  forwarded?: JSONRPCRequest;
  /** Aborted when the client cancels the request, the session closes, or the upstream dies. */
  readonly signal: AbortSignal;
  readonly startedAt: number;
  decision?: Decision;
  /** Who approved an `ask`: "user:allow-once", "user:session", "rule:always", "timeout". */
  approver?: string;
  /** Milliseconds the call waited for a person's approval (0 when a remembered answer applied); audit keeps it out of the duration. */
  approvalWaitMs?: number;
  /** The proxy span of the call (tracing), which the audit record carries for correlation. */
  traceContext?: { traceId: string; spanId: string };
  /** The request's size in bytes as the client sent it, filled in by the relay. */
  bytesIn?: number;
  /** The server's lifecycle when the call was decided (main/lifecycle/), for the audit record. */
  lifecycle?: ServerLifecycle;
  /** Content guardrails (main/guardrails/): labels of the rules that acted, detector names (never values), flags ("budget-80"). */
  guardrails?: { rules: string[]; detectors: string[]; flags: string[] };
  /** Estimated tokens (UTF-8 bytes / 4) of the request and of the result as returned. */
  estTokensIn?: number;
  estTokensOut?: number;
  /** An outcome a guardrail names for the audit record, e.g. invalid_arguments. */
  auditOutcome?: 'invalid_arguments';
  /** The tool's annotations as this session's upstream listed them (policy fills it in for tools/call). */
  toolAnnotations?: Readonly<Record<string, unknown>>;
  /** A flow guardrail (rate limit, breaker, idempotency, cache) that decided about the call: its rule label, for the audit. */
  guardRule?: string;
  /** The call was stopped by a flow guardrail: the audit outcome to record. */
  guardOutcome?: 'rate_limited' | 'circuit_open';
  /** The answer is a replay of an earlier call's (idempotency key or de-duplication). */
  replayed?: boolean;
  /** The answer came from the response cache. */
  cacheHit?: boolean;
  /** A per-call timeout budget shorter than the session's request timeout (the relay applies it upstream). */
  timeoutMs?: number;
}

export type RelayResponse = JSONRPCResultResponse | JSONRPCErrorResponse;
export type Next = (request: JSONRPCRequest) => Promise<RelayResponse>;

/**
 * One link of the chain. `handle` sees a client→server request whose method is in `methods`;
 * it may answer by itself (deny), wait (approval), change the request, or post-process what
 * `next` returns (hide tools from tools/list). Interceptors run in the order given to the relay.
 */
export interface Interceptor {
  readonly name: string;
  readonly methods: ReadonlySet<string>;
  handle(ctx: CallContext, next: Next): Promise<RelayResponse>;
  /** Server→client notifications (e.g. notifications/tools/list_changed). Return null to drop. */
  onServerNotification?(session: SessionInfo, notification: JSONRPCNotification): JSONRPCNotification | null;
  /** The client session ended. */
  onSessionClosed?(session: SessionInfo): void;
}

/** Why a call's signal is aborted when the client sent notifications/cancelled for it. */
export class ClientCancelled extends Error {
  constructor(message = 'cancelled by the client') {
    super(message);
    this.name = 'ClientCancelled';
  }
}

/** Why a call's signal is aborted when the proxy itself is stopping (the daemon shuts down): its result is unknown. */
export class ProxyStopping extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ProxyStopping';
  }
}

/** The `data.reason` of the error a request gets when the proxy stops before it was answered. */
export const PROXY_STOPPING = 'proxy-stopping';

/** True when the client cancelled the call, as opposed to the proxy ending it (crash, timeout, shutdown). */
export function cancelledByClient(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof ClientCancelled;
}

export { ProxyErrorCode } from '../base/proxy-error-codes.ts';

/**
 * A tools/call the proxy refuses is answered with a tool error the model can read, and marks it
 * in `_meta` under this key with the rule and source, so a program (the API, the CLI) can tell
 * the proxy's refusal from the tool's own error without reading the text.
 */
export const REFUSAL_META_KEY = 'switchboard.mcp/refusal';

export function proxyRefusal(result: { _meta?: Record<string, unknown> } | undefined): { rule: string; source: string } | undefined {
  const mark = result?._meta?.[REFUSAL_META_KEY] as { rule?: unknown; source?: unknown } | undefined;
  return typeof mark?.rule === 'string' && typeof mark.source === 'string' ? { rule: mark.rule, source: mark.source } : undefined;
}
