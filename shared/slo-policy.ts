// The `slo` section of a policy (managed, org or the user's settings.userPolicy): per server (and
// per tool glob) a latency objective (p95 under a bound) and a success objective (e.g. 0.99), with
// multi-window burn-rate alerting: an alert fires when the error budget burns faster than
// `burnRateThreshold` over both the short and the long window, and clears when it no longer does.
import { z } from 'zod';

export const SloObjectiveSchema = z.object({
  /** Server id, or a glob over server ids ("*" for all). */
  server: z.string().min(1).max(200),
  /** Glob over tool names (and resource URIs / prompt names); all calls of the server when absent. */
  tool: z.string().min(1).max(500).optional(),
  /** p95 latency under this many milliseconds (approval waits left out): 5% of calls may be slower. */
  latencyP95Ms: z.number().positive().max(3_600_000).optional(),
  /** Share of calls that must succeed, e.g. 0.99 (see main/audit/health-queries.ts for what fails). */
  success: z.number().gt(0).lt(1).optional(),
}).strict().refine((objective) => objective.latencyP95Ms !== undefined || objective.success !== undefined, {
  message: 'an objective names latencyP95Ms, success, or both',
});
export type SloObjective = z.infer<typeof SloObjectiveSchema>;

export const SloPolicySchema = z.object({
  objectives: z.array(SloObjectiveSchema).max(200).optional(),
  /** Burn rate (multiples of the sustainable rate) above which both windows alert. Default 14.4 (2% of a 30-day budget in 1 h). */
  burnRateThreshold: z.number().positive().max(1000).optional(),
  /** Default 1 h. */
  shortWindowMs: z.number().int().min(1000).max(7 * 86_400_000).optional(),
  /** Default 6 h. */
  longWindowMs: z.number().int().min(1000).max(30 * 86_400_000).optional(),
  /**
   * Calls the short window must hold before an alert can fire. Default 10: one failure among a
   * handful of calls is noise, not a burn. A firing alert stays until the burn stops.
   */
  minCalls: z.number().int().min(1).max(1_000_000).optional(),
  /** How often burn rates are evaluated. Default 60 s. */
  evaluateEveryMs: z.number().int().min(100).max(3_600_000).optional(),
}).strict().describe('Service level objectives with multi-window burn-rate alerts');
export type SloPolicy = z.infer<typeof SloPolicySchema>;
