// settings.observability in config.json: Prometheus scraping, trace export and the end-user
// identity header sent to remote servers. SLOs are policy (shared/slo-policy.ts), not settings.
import { z } from 'zod';

/** An HTTP header name (RFC 9110 token). */
const HeaderNameSchema = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, 'an HTTP header name (letters, digits, - and the RFC 9110 token characters)');

export const ObservabilitySettingsSchema = z.object({
  /**
   * SHA-256 (hex) of the bearer token that opens /metrics, and nothing else (no MCP or API token
   * opens /metrics). Unset: scraping is off and /metrics answers 404. Create one with
   * `switchboard health metrics-token`.
   */
  metricsTokenSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  traces: z.object({
    /** Default true: spans are made and exported when an endpoint is known (this one, or the gateway's /v1/traces). */
    enabled: z.boolean().default(true),
    /** The OTLP/HTTP traces URL (…/v1/traces), when traces go elsewhere than the audit gateway. */
    endpoint: z.url().optional(),
    /** Spans kept for export at most; more are dropped (traces are best-effort, the audit is the record). */
    maxQueue: z.number().int().min(1).max(100_000).default(2048),
  }).strict().optional(),
  /**
   * Sends this header with the OS user's name to remote servers (e.g. "X-End-User"). Off by
   * default. It is asserted by this machine and proves nothing about who the user is.
   */
  endUserHeader: HeaderNameSchema.optional(),
}).strict();
export type ObservabilitySettings = z.infer<typeof ObservabilitySettingsSchema>;
