// The audit record (one proxied call) and the shapes the UI and CLI use to query it. The
// daemon's SQLite store and the forwarder's OTLP mapping both derive from these names.
import { z } from 'zod';

/** How much of a call's arguments the audit store keeps (policy: audit.capture). */
export const CaptureModeSchema = z.enum(['none', 'redacted', 'full']);
export type CaptureMode = z.infer<typeof CaptureModeSchema>;

/**
 * What happened to the call. `pending`: the call is running (its row is written before it goes
 * upstream). `interrupted`: the daemon stopped while the call ran, so the result is unknown.
 */
export const AuditOutcomeSchema = z.enum(['ok', 'tool_error', 'protocol_error', 'timeout', 'cancelled', 'denied', 'interrupted', 'pending', 'invalid_arguments', 'rate_limited', 'circuit_open']);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

/** Where the record is in the outbox to the enterprise gateway. */
export const DeliveryStateSchema = z.enum(['pending', 'delivered', 'failed', 'dropped']);
export type DeliveryState = z.infer<typeof DeliveryStateSchema>;

export const AuditDecisionSchema = z.enum(['allow', 'deny', 'ask']);
export const AuditMethodSchema = z.enum(['tools/call', 'resources/read', 'prompts/get']);

export const AuditRecordSchema = z.object({
  /** UUIDv7: unique, sortable by time; also the dedup key at the gateway (log.record.uid). */
  id: z.string(),
  /** Milliseconds since the epoch when the call arrived. */
  time: z.number(),
  sessionId: z.string().nullable(),
  /** The JSON-RPC id of the client's request, as text. */
  requestId: z.string().nullable(),
  serverId: z.string(),
  transport: z.string().nullable(),
  clientName: z.string().nullable(),
  clientVersion: z.string().nullable(),
  /** The HTTP token's name, or "bridge". */
  clientLabel: z.string().nullable(),
  /** tools/call, resources/read, prompts/get, or another method for a blocked attempt. */
  method: z.string(),
  /** Tool or prompt name, or resource URI (secret-looking parts redacted). */
  target: z.string().nullable(),
  /** JSON text of the captured arguments, or null when capture is off. */
  arguments: z.string().nullable(),
  argumentsTruncated: z.boolean(),
  captureMode: CaptureModeSchema.nullable(),
  decision: AuditDecisionSchema.nullable(),
  rule: z.string().nullable(),
  source: z.string().nullable(),
  reason: z.string().nullable(),
  approver: z.string().nullable(),
  outcome: AuditOutcomeSchema,
  errorType: z.string().nullable(),
  errorMessage: z.string().nullable(),
  /** How long the call took in the proxy and the server, without the time it waited for approval. */
  durationMs: z.number().nullable(),
  /** How long the call waited for a person's approval (0: a remembered answer applied); null when nobody was asked or recorded before this field existed. */
  approvalWaitMs: z.number().nullable(),
  bytesIn: z.number().int().nullable(),
  bytesOut: z.number().int().nullable(),
  osUser: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** How the server ran: "bwrap network=none", "sandbox-exec network=all", "not sandboxed", "remote"; null when not recorded. */
  sandbox: z.string().nullable().default(null),
  /** The server's lifecycle when the call was decided: active, deprecated, decommissioned, deleted; null when unknown. */
  lifecycleState: z.string().nullable().default(null),
  lifecycleMessage: z.string().nullable().default(null),
  /** The registry's latest version of the server, when known. */
  lifecycleLatestVersion: z.string().nullable().default(null),
  /** What policy names as the replacement. */
  lifecycleReplacement: z.string().nullable().default(null),
  /** Content guardrails: the rules that acted, the detectors that fired (names only), flags; null when none. */
  guardrailRule: z.string().nullable().default(null),
  detectors: z.string().nullable().default(null),
  guardrailFlags: z.string().nullable().default(null),
  /** Estimated tokens (UTF-8 bytes / 4) of the request and of the result as returned. */
  estTokensIn: z.number().int().nullable().default(null),
  estTokensOut: z.number().int().nullable().default(null),
  /** The flow guardrail (rate limit, breaker, idempotency, cache) rule that decided about the call, "managed: rate per client **"; null when none did. */
  guardRule: z.string().nullable().default(null),
  /** The answer was a replay of an earlier call's (idempotency key or de-duplication); null before this was recorded. */
  replayed: z.boolean().nullable().default(null),
  /** The answer came from the response cache; null before this was recorded. */
  cacheHit: z.boolean().nullable().default(null),
  /** The profile of a federated session (/mcp, `bridge --profile`); null on a server's own endpoint. */
  profile: z.string().nullable().default(null),
  delivery: DeliveryStateSchema,
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** Filters shared by list, stats and timeline. Times are ms since the epoch. */
export const AuditFilterSchema = z.object({
  since: z.number().optional(),
  until: z.number().optional(),
  serverId: z.string().optional(),
  /** Tool, prompt or resource name (exact). */
  tool: z.string().optional(),
  /** Client name (from initialize) or client label (token name). */
  client: z.string().optional(),
  decision: AuditDecisionSchema.optional(),
  outcome: AuditOutcomeSchema.optional(),
  /** Case-insensitive substring of the target, error message, rule or server id. */
  text: z.string().min(1).max(200).optional(),
}).strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const AuditQuerySchema = AuditFilterSchema.extend({
  /** The id of the last record of the previous page (newest first). */
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(1000).default(50),
}).strict();
export type AuditQuery = z.input<typeof AuditQuerySchema>;

export const AuditPageSchema = z.object({
  records: z.array(AuditRecordSchema),
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPageSchema>;

export const AuditStatsQuerySchema = AuditFilterSchema.extend({
  groupBy: z.enum(['server', 'tool']).default('tool'),
}).strict();
export type AuditStatsQuery = z.input<typeof AuditStatsQuerySchema>;

export const AuditStatsRowSchema = z.object({
  serverId: z.string(),
  /** Null when grouped by server. */
  tool: z.string().nullable(),
  count: z.number().int(),
  errors: z.number().int(),
  denied: z.number().int(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});
export type AuditStatsRow = z.infer<typeof AuditStatsRowSchema>;

export const AuditTimelineQuerySchema = AuditFilterSchema.extend({
  bucketMs: z.number().int().min(1000).max(7 * 24 * 3600_000).default(60_000),
}).strict();
export type AuditTimelineQuery = z.input<typeof AuditTimelineQuerySchema>;

export const AuditTimelineBucketSchema = z.object({
  start: z.number(),
  count: z.number().int(),
  errors: z.number().int(),
  denied: z.number().int(),
});
export type AuditTimelineBucket = z.infer<typeof AuditTimelineBucketSchema>;

export const ForwarderStatusSchema = z.object({
  enabled: z.boolean(),
  url: z.string().nullable(),
  state: z.enum(['disabled', 'idle', 'sending', 'backoff', 'stopped']),
  /** Records waiting for the gateway's acknowledgement. */
  backlog: z.number().int(),
  /** Records the gateway refused permanently (4xx); kept and retried on the next start or config change. */
  failed: z.number().int(),
  deliveredSinceStart: z.number().int(),
  /** Records dropped oldest-first because the backlog exceeded its cap (all time). */
  droppedTotal: z.number().int(),
  /** Log records the gateway reported as rejected in a partial success (all time). */
  rejectedTotal: z.number().int(),
  lastSuccessAt: z.number().nullable(),
  lastError: z.object({ at: z.number(), message: z.string(), status: z.number().nullable() }).nullable(),
  nextAttemptAt: z.number().nullable(),
  inventorySentAt: z.number().nullable(),
});
export type ForwarderStatus = z.infer<typeof ForwarderStatusSchema>;
