// The relay interceptor that records tools/call, resources/read and prompts/get. Put it first in
// the chain (outermost) so it also records what policy and approvals deny. Its row is committed
// before the call goes on (fail closed if it cannot be) and completed before the answer returns.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AuditOutcome, AuditRecord, CaptureMode } from '../../shared/audit.ts';
import type { ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import { PROXY_STOPPING, ProxyErrorCode, ProxyStopping, cancelledByClient, type CallContext, type Interceptor, type Next, type RelayResponse } from '../relay/interceptor.ts';
import { messageBytes } from '../base/wire-size.ts';
import type { DeviceIdentity } from './device-identity.ts';
import { newRecordId } from './record-id.ts';
import { ArgumentCapture } from './redact.ts';
import { type AuditCompletion, type AuditEntry, type AuditStore, AuditWriteError, type InflightCall } from './store.ts';

const NO_PATTERNS: readonly string[] = [];

export const AUDITED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

export type AuditListener = (record: AuditRecord) => void;

export interface AuditInterceptorDeps {
  readonly store: AuditStore;
  readonly identity: Pick<DeviceIdentity, 'deviceId' | 'osUser'>;
  /** Read per call, so a policy change applies to the next call. */
  readonly captureMode: () => CaptureMode;
  /** The policy's audit.redactPatterns, read per call like the mode (the same array while the policy is unchanged). */
  readonly redactPatterns?: () => readonly string[];
  readonly maxArgumentChars?: number;
  readonly now?: () => number;
  /** Monotonic milliseconds for durations (performance.now). */
  readonly clock?: () => number;
  /** How the server runs ("bwrap network=none", "not sandboxed", "remote"), recorded with each call. */
  readonly sandboxState?: (serverId: string) => string | null;
  /** The server's lifecycle (main/lifecycle/), for calls refused before the lifecycle link saw them. */
  readonly lifecycle?: (serverId: string) => ServerLifecycle | undefined;
  /** Replaces what the content guardrails' DLP detectors find in the arguments before they are captured (main/guardrails/audit-scrub.ts). */
  readonly scrubArguments?: (args: unknown) => unknown;
}

const ERROR_TYPES: Record<number, string> = {
  [ProxyErrorCode.Denied]: 'denied',
  [ProxyErrorCode.ServerUnavailable]: 'server_unavailable',
  [ProxyErrorCode.Timeout]: 'timeout',
  [ProxyErrorCode.MessageTooLarge]: 'message_too_large',
  [ProxyErrorCode.FailClosed]: 'fail_closed',
  [ProxyErrorCode.Decommissioned]: 'decommissioned',
  [ProxyErrorCode.RateLimited]: 'rate_limited',
  [ProxyErrorCode.CircuitOpen]: 'circuit_open',
  [ProxyErrorCode.IdempotencyConflict]: 'idempotency_conflict',
  [-32700]: 'parse_error',
  [-32600]: 'invalid_request',
  [-32601]: 'method_not_found',
  [-32602]: 'invalid_params',
  [-32603]: 'internal_error',
};

export class AuditInterceptor implements Interceptor {
  readonly name = 'audit';
  readonly methods = AUDITED_METHODS;
  private readonly deps: AuditInterceptorDeps;
  private readonly listeners = new Set<AuditListener>();
  private lastCapture: { mode: CaptureMode; patterns: readonly string[]; capture: ArgumentCapture } | undefined;

  constructor(deps: AuditInterceptorDeps) {
    this.deps = deps;
  }

  /** Live updates for the UI; returns an unsubscribe function. */
  onRecord(listener: AuditListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const capture = this.capture();
    const entry = this.entryFor(ctx, capture);
    const clock = this.deps.clock ?? performance.now.bind(performance);
    const startedAt = clock();
    let call: InflightCall;
    try {
      call = await this.deps.store.begin(entry);
    } catch (error) {
      return failClosed(ctx.request, error);
    }

    let response: RelayResponse | undefined;
    let thrown: unknown;
    try {
      response = await next(ctx.request);
    } catch (error) {
      thrown = error;
    }
    // The time a person took to approve is recorded on its own, not as latency.
    const wait = ctx.approvalWaitMs;
    const completion = this.completionFor(ctx, response, thrown, capture, Math.max(0, clock() - startedAt - (wait ?? 0)));
    try {
      await this.deps.store.finish(call, completion);
    } catch (error) {
      // The call went upstream and is recorded as in flight (interrupted on the next start), but
      // its outcome cannot be recorded: the client gets the fail-closed error, not an unrecorded result.
      return failClosed(ctx.request, error);
    }
    if (this.listeners.size > 0) this.notify({ ...entry, ...completion });
    if (thrown !== undefined) throw thrown;
    return response!;
  }

  private capture(): ArgumentCapture {
    const mode = this.deps.captureMode();
    const patterns = this.deps.redactPatterns?.() ?? NO_PATTERNS;
    const last = this.lastCapture;
    if (last && last.mode === mode && last.patterns === patterns) return last.capture;
    const maxChars = this.deps.maxArgumentChars ? { maxChars: this.deps.maxArgumentChars } : {};
    let capture: ArgumentCapture;
    try {
      capture = new ArgumentCapture({ mode, patterns, ...maxChars });
    } catch {
      // A pattern that does not compile (the policy schema refuses them; this is a backstop):
      // record no arguments rather than arguments the policy wanted redacted.
      capture = new ArgumentCapture({ mode: 'none', ...maxChars });
    }
    this.lastCapture = { mode, patterns, capture };
    return capture;
  }

  private entryFor(ctx: CallContext, capture: ArgumentCapture): AuditEntry {
    const { session, request } = ctx;
    const params = (request.params ?? {}) as Record<string, unknown>;
    let target: string | null = null;
    let args: unknown;
    if (request.method === 'resources/read') {
      target = typeof params.uri === 'string' ? capture.text(params.uri, 2000) : null;
    } else {
      target = typeof params.name === 'string' ? params.name.slice(0, 500) : null;
      args = params.arguments;
    }
    const captured = capture.capture(args !== undefined && this.deps.scrubArguments ? this.deps.scrubArguments(args) : args);
    return {
      id: newRecordId(),
      time: this.deps.now?.() ?? Date.now(),
      sessionId: session.sessionId,
      requestId: request.id === undefined || request.id === null ? null : String(request.id),
      serverId: session.serverId,
      transport: session.transport,
      clientName: session.client?.name ?? null,
      clientVersion: session.client?.version ?? null,
      clientLabel: session.clientLabel,
      method: request.method,
      target,
      arguments: captured.text,
      argumentsTruncated: captured.truncated,
      captureMode: capture.mode,
      osUser: this.deps.identity.osUser,
      deviceId: this.deps.identity.deviceId,
      sandbox: this.deps.sandboxState?.(session.serverId) ?? null,
      profile: session.profile ?? null,
    };
  }

  private completionFor(ctx: CallContext, response: RelayResponse | undefined, thrown: unknown, capture: ArgumentCapture, durationMs: number): AuditCompletion {
    // Only the client's own cancel makes a call `cancelled`; the proxy also aborts a call's signal
    // when it ends it (server crash, shutdown), and those keep the outcome of the error they got.
    const cancelled = cancelledByClient(ctx.signal);
    if (ctx.signal.reason instanceof ProxyStopping || (response && 'error' in response && (response.error.data as { reason?: unknown } | undefined)?.reason === PROXY_STOPPING)) {
      // The daemon stopped while the call ran: like the calls a killed daemon leaves (store.recoverInterrupted).
      return this.completion(ctx, response, capture, durationMs, 'interrupted', 'daemon_stopped', capture.text(ctx.signal.reason instanceof Error ? ctx.signal.reason.message : 'the daemon stopped before the call finished; its result is unknown'));
    }
    if (ctx.auditOutcome && response && !('error' in response)) {
      // A guardrail refused the call before it went upstream and named the outcome (invalid_arguments).
      return this.completion(ctx, response, capture, durationMs, ctx.auditOutcome, ctx.auditOutcome, toolErrorText(response.result, capture));
    }
    let outcome: AuditOutcome = 'ok';
    let errorType: string | null = null;
    let errorMessage: string | null = null;
    if (thrown !== undefined) {
      outcome = cancelled ? 'cancelled' : 'protocol_error';
      errorType = cancelled ? 'cancelled' : 'relay_error';
      errorMessage = capture.text(thrown instanceof Error ? thrown.message : String(thrown));
    } else if (response && 'error' in response) {
      const code = response.error.code;
      if (code === ProxyErrorCode.Denied || code === ProxyErrorCode.FailClosed || code === ProxyErrorCode.Decommissioned) outcome = 'denied';
      else if (code === ProxyErrorCode.Timeout) outcome = 'timeout';
      else if (cancelled) outcome = 'cancelled';
      else outcome = 'protocol_error';
      errorType = cancelled && outcome === 'protocol_error' ? 'cancelled' : (ERROR_TYPES[code] ?? `jsonrpc_${code}`);
      errorMessage = capture.text(String(response.error.message ?? ''));
    } else if (response && (response.result as { isError?: unknown })?.isError === true) {
      // Policy refuses a tools/call with a tool error (the model reads why); it is still a denial.
      const refused = ctx.decision?.action === 'deny';
      outcome = refused ? 'denied' : 'tool_error';
      errorType = refused ? 'denied' : 'tool_error';
      errorMessage = toolErrorText(response.result, capture);
    } else if (cancelled) {
      outcome = 'cancelled';
      errorType = 'cancelled';
    }
    if (ctx.guardOutcome) {
      // A flow guardrail (rate limit, open breaker) stopped the call before it reached the server.
      outcome = ctx.guardOutcome;
      errorType = ctx.guardOutcome;
    }
    return this.completion(ctx, response, capture, durationMs, outcome, errorType, errorMessage);
  }

  private completion(ctx: CallContext, response: RelayResponse | undefined, capture: ArgumentCapture, durationMs: number, outcome: AuditOutcome, errorType: string | null, errorMessage: string | null): AuditCompletion {
    const decision = ctx.decision;
    const lifecycle = ctx.lifecycle ?? this.deps.lifecycle?.(ctx.session.serverId);
    return {
      decision: decision?.action ?? null,
      rule: decision?.rule ?? null,
      source: decision?.source ?? null,
      reason: decision?.reason ? capture.text(decision.reason, 500) : null,
      approver: ctx.approver ?? null,
      outcome,
      errorType,
      errorMessage,
      durationMs: Math.round(durationMs * 1000) / 1000,
      bytesIn: ctx.bytesIn ?? null,
      // The answer as it goes back: this interceptor is outermost, so nothing changes it after here.
      bytesOut: response ? messageBytes(response) : null,
      approvalWaitMs: ctx.approvalWaitMs === undefined ? null : Math.round(ctx.approvalWaitMs * 1000) / 1000,
      lifecycleState: lifecycle?.state ?? null,
      lifecycleMessage: lifecycle?.message ? capture.text(lifecycle.message, 500) : null,
      lifecycleLatestVersion: lifecycle?.latestVersion ?? null,
      lifecycleReplacement: lifecycle?.replacement ?? null,
      traceId: ctx.traceContext?.traceId ?? null,
      spanId: ctx.traceContext?.spanId ?? null,
      guardrailRule: ctx.guardrails?.rules.length ? ctx.guardrails.rules.join(', ') : null,
      detectors: ctx.guardrails?.detectors.length ? ctx.guardrails.detectors.join(',') : null,
      guardrailFlags: ctx.guardrails?.flags.length ? ctx.guardrails.flags.join(',') : null,
      estTokensIn: ctx.estTokensIn ?? null,
      estTokensOut: ctx.estTokensOut ?? null,
      guardRule: ctx.guardRule ?? null,
      replayed: ctx.replayed ?? null,
      cacheHit: ctx.cacheHit ?? null,
    };
  }

  private notify(row: AuditEntry & AuditCompletion): void {
    const record: AuditRecord = {
      ...row, approvalWaitMs: row.approvalWaitMs ?? null, sandbox: row.sandbox ?? null, delivery: 'pending',
      lifecycleState: row.lifecycleState ?? null, lifecycleMessage: row.lifecycleMessage ?? null, lifecycleLatestVersion: row.lifecycleLatestVersion ?? null, lifecycleReplacement: row.lifecycleReplacement ?? null,
      guardrailRule: row.guardrailRule ?? null, detectors: row.detectors ?? null, guardrailFlags: row.guardrailFlags ?? null, estTokensIn: row.estTokensIn ?? null, estTokensOut: row.estTokensOut ?? null,
      guardRule: row.guardRule ?? null, replayed: row.replayed ?? null, cacheHit: row.cacheHit ?? null, profile: row.profile ?? null,
    };
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A broken UI listener must not affect the call.
      }
    }
  }
}

function toolErrorText(result: unknown, capture: ArgumentCapture): string | null {
  const content = (result as { content?: unknown })?.content;
  if (!Array.isArray(content)) return null;
  const text = content.find((item): item is { type: 'text'; text: string } => item?.type === 'text' && typeof item.text === 'string');
  return text ? capture.text(text.text, 500) : null;
}

export function failClosed(request: JSONRPCRequest, error: unknown): RelayResponse {
  const detail = error instanceof AuditWriteError ? error.message : `the audit store cannot record the call (${error instanceof Error ? error.message : String(error)})`;
  return {
    jsonrpc: '2.0',
    id: request.id,
    error: {
      code: ProxyErrorCode.FailClosed,
      message: `MCP Switchboard refused the call because ${detail}. Every call must be recorded before it runs: free disk space or fix the permissions of the data folder, then retry.`,
    },
  };
}
