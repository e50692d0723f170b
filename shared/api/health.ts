// The Health page and `switchboard health`: per server and tool latency percentiles, success rate,
// error types and auth failures over a window, SLO budgets and burn rates, breaker state and the
// restart history; plus the metrics token that opens /metrics.
import { z } from 'zod';
import { method } from './define.ts';

export const ToolHealthSchema = z.object({
  /** Tool name (resource URI, prompt name); null for calls without one. */
  tool: z.string().nullable(),
  calls: z.number().int(),
  /** ok / calls; null without calls. */
  successRate: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  /** outcome → count for outcomes other than ok. */
  errors: z.record(z.string(), z.number()),
  authFailures: z.number().int(),
});

export const SloStatusSchema = z.object({
  tool: z.string().nullable(),
  kind: z.enum(['success', 'latency']),
  target: z.number(),
  shortBurn: z.number(),
  longBurn: z.number(),
  budgetLeft: z.number(),
  firing: z.boolean(),
});

export const ServerHealthSchema = z.object({
  serverId: z.string(),
  state: z.string(),
  restarts: z.number().int(),
  /** The circuit breaker's state when one guards the server ("closed", "open", "half-open"); null otherwise. */
  breaker: z.string().nullable(),
  calls: z.number().int(),
  successRate: z.number().nullable(),
  /** Refused logins at /mcp/<server> (bad or missing tokens) since the daemon started. */
  authFailures: z.number().int(),
  tools: z.array(ToolHealthSchema),
  slos: z.array(SloStatusSchema),
  /** State changes, newest first (restarts, failures), at most 20. */
  history: z.array(z.object({ at: z.string(), state: z.string(), reason: z.string().optional() })),
});
export type ServerHealth = z.infer<typeof ServerHealthSchema>;

export const HealthReportSchema = z.object({
  generatedAt: z.string(),
  windowMs: z.number().int(),
  servers: z.array(ServerHealthSchema),
  authFailures: z.object({ total: z.number().int(), lastHour: z.number().int(), byReason: z.record(z.string(), z.number()) }),
  /** SLO alerts fired or cleared since the daemon started, newest first (at most 50). */
  alerts: z.array(z.object({ at: z.string(), serverId: z.string(), tool: z.string().nullable(), kind: z.string(), state: z.enum(['firing', 'cleared']), message: z.string() })),
});
export type HealthReport = z.infer<typeof HealthReportSchema>;

export const healthContract = {
  'health.get': method(
    z.object({ windowMs: z.number().int().min(60_000).max(30 * 86_400_000).optional() }).strict(),
    HealthReportSchema,
    'Per server and tool: p50/p95/p99, success rate, error types, auth failures, SLO budget and burn rate, breaker and restarts (window default 24 h)',
  ),
  'health.metricsToken': method(
    z.object({}).strict(),
    z.object({ token: z.string() }),
    'Create the token that opens /metrics (replacing any earlier one); the value is shown only in this answer',
  ),
};
