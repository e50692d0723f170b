// The flow guardrails of the data path, as policy sections: rate limits, the circuit breaker (with
// per-tool timeout budgets), idempotency and the response cache. Each section is off while no
// source sets it; sources combine strictest-wins (main/guardrails/flow-policy.ts says how per
// section) and each section can be locked like any other setting.
import picomatch from 'picomatch';
import { z } from 'zod';

// Not globProblem of ./policy.ts: that module imports this one for its policyBody.
const glob = () => z.string().min(1).superRefine((pattern, ctx) => {
  try {
    picomatch.makeRe(pattern, { dot: true, noextglob: true, debug: true });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid glob: ${(error as Error).message}` });
  }
});

/** The `_meta` key of a tools/call that carries the caller's idempotency key (a string of 1 to 200 characters). */
export const IDEMPOTENCY_META_KEY = 'switchboard.mcp/idempotency-key';

export const RateLimitScopeSchema = z.enum(['client', 'server', 'tool', 'client-tool'])
  .describe('One bucket per client (every call of one client identity), per server, per tool ("<server>/<tool>"), or per client × tool');

export const RateLimitRuleSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in errors and the audit; defaults to "rate <per> <match>"'),
  per: RateLimitScopeSchema,
  match: glob().default('**').describe('Glob on "<server id>/<tool>" (prompt name or resource URI for prompts/get and resources/read): the calls the rule counts'),
  client: glob().optional().describe('Glob on the client\'s name (from initialize); the rule counts only these clients\' calls'),
  perMinute: z.number().positive().max(1_000_000).describe('Tokens refilled per minute'),
  burst: z.number().int().positive().max(1_000_000).describe('Bucket size: how many calls may come at once'),
}).strict();
export type RateLimitRule = z.infer<typeof RateLimitRuleSchema>;

export const RateLimitsPolicySchema = z.object({
  rules: z.array(RateLimitRuleSchema).describe('Every rule of every source applies (a call must have a token in each bucket it counts in), so the strictest limit wins'),
}).strict().describe('Token-bucket rate limits. Buckets are keyed on the client identity (client name, token label, transport), not the session, so they survive a reconnect');

export const ToolTimeoutSchema = z.object({
  match: glob().describe('Glob on "<server id>/<tool>"'),
  timeoutMs: z.number().int().positive().max(86_400_000).describe('The call fails with a timeout after this long (counts as a breaker failure); the lowest matching budget of any source wins, and it never exceeds the server\'s requestTimeoutMs'),
}).strict();

export const BreakerPolicySchema = z.object({
  servers: glob().default('**').describe('Glob on the server id: which servers have a breaker'),
  failures: z.number().int().min(1).max(1000).default(5).describe('Consecutive failures (JSON-RPC errors from the server, timeouts, crashes) that open the breaker; the lowest of any source wins'),
  windowSeconds: z.number().positive().max(86_400).default(60).describe('The failures count only while the first of them is at most this old; the longest of any source wins'),
  coolDownSeconds: z.number().positive().max(86_400).default(30).describe('How long an open breaker fails calls fast before it lets one probe call through; the longest of any source wins'),
  countToolErrors: z.boolean().default(false).describe('Also count tool results with isError: true as failures (any source turning it on wins)'),
  timeouts: z.array(ToolTimeoutSchema).optional().describe('Per-call timeout budgets per tool'),
}).strict().describe('A circuit breaker per server: after N consecutive failures within the window, calls fail fast for the cool-down; then one probe is let through (half-open): success closes it, failure opens it again');

export const DedupRuleSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in the audit; defaults to "dedup <match>"'),
  match: glob().describe('Glob on "<server id>/<tool>"; tools annotated idempotentHint: true are left alone (a repeat is harmless)'),
  windowSeconds: z.number().positive().max(86_400).describe('A call with the same canonical arguments from the same client within this time gets the first call\'s answer'),
}).strict();

export const IdempotencyPolicySchema = z.object({
  windowSeconds: z.number().positive().max(7 * 86_400).default(600).describe(`How long an answer is kept for a retry carrying the same key in params._meta["${IDEMPOTENCY_META_KEY}"]; the longest of any source wins`),
  dedup: z.array(DedupRuleSchema).optional().describe('Automatic de-duplication of identical calls for tools not annotated idempotentHint'),
  maxEntries: z.number().int().positive().max(1_000_000).default(10_000).describe('Most answers kept; the oldest go first'),
}).strict().describe(`Idempotency: a tools/call carrying params._meta["${IDEMPOTENCY_META_KEY}"] runs once per key and client within the window; a retry gets the first call's answer (or waits for it while it runs); the same key with other arguments is refused`);

export const CacheRuleSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in the audit; defaults to "cache <match>"'),
  match: glob().describe('Glob on "<server id>/<tool>"; only tools annotated readOnlyHint: true and idempotentHint: true are cached, a rule matching another tool does not apply to it'),
  ttlSeconds: z.number().positive().max(86_400).describe('How long an answer is served from the cache; the shortest matching TTL wins'),
  shared: z.boolean().default(false).describe('true: one cache entry for every client; default: per client (it applies only when every matching rule says so)'),
}).strict();

export const CachePolicySchema = z.object({
  rules: z.array(CacheRuleSchema),
  maxEntries: z.number().int().positive().max(1_000_000).default(1000).describe('Most answers kept; the oldest go first'),
  maxEntryBytes: z.number().int().positive().max(64 * 1024 * 1024).default(1024 * 1024).describe('Larger answers are not cached'),
}).strict().describe('A response cache for read-only, idempotent tools, keyed on canonical arguments, per client by default; cleared whenever the policy changes');

export type RateLimitsPolicy = z.infer<typeof RateLimitsPolicySchema>;
export type BreakerPolicy = z.infer<typeof BreakerPolicySchema>;
export type IdempotencyPolicy = z.infer<typeof IdempotencyPolicySchema>;
export type CachePolicy = z.infer<typeof CachePolicySchema>;
