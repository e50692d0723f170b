// What the API says about the flow guardrails (main/guardrails/): a server's circuit breaker, in
// its status (`switchboard status`, the Servers page) and in the `server.breaker` event.
import { z } from 'zod';

export const BreakerStateSchema = z.object({
  /** closed: calls pass; open: calls fail fast; half-open: the cool-down is over and the next call is the probe. */
  state: z.enum(['closed', 'open', 'half-open']),
  /** ISO time of the last state change. */
  since: z.string(),
  /** Consecutive failures counted (that opened it, when open). */
  failures: z.number().int(),
});
export type BreakerState = z.infer<typeof BreakerStateSchema>;

/** The payload of the `server.breaker` event. */
export const BreakerEventSchema = BreakerStateSchema.extend({ serverId: z.string() });
